{{/*
The `from` peers of a NetworkPolicy ingress rule: the pods of networkPolicy.allowedApps (by their
app.kubernetes.io/name, same namespace), then this release's helm test pods (instance + component: test, the
labels todo-common.testLabels gives them).
*/}}
{{- define "todo-common.networkPolicyPeers" -}}
{{ with .Values.networkPolicy.allowedApps -}}
- podSelector:
    matchExpressions:
      - key: app.kubernetes.io/name
        operator: In
        values:
          {{- toYaml . | nindent 10 }}
{{ end -}}
- podSelector:
    matchLabels:
      app.kubernetes.io/instance: {{ .Release.Name }}
      app.kubernetes.io/component: test
{{- end }}

{{/*
The chart's Service: type and annotations from `service`, the stable selector, one TCP port named after the
container port it targets, and service.nodePort when the chart has one and the type opens it.
Call with (dict "context" . "port" "http").
*/}}
{{- define "todo-common.service" -}}
{{- $ctx := .context -}}
{{- $port := .port -}}
{{- with $ctx.Values.service -}}
apiVersion: v1
kind: Service
metadata:
  {{- include "todo-common.metadata" (dict "context" $ctx "annotations" .annotations) | nindent 2 }}
spec:
  type: {{ .type }}
  selector:
    {{- include "todo-common.selectorLabels" $ctx | nindent 4 }}
  ports:
    - name: {{ $port }}
      port: {{ .port }}
      targetPort: {{ $port }}
      protocol: TCP
      {{- if and (ne .type "ClusterIP") (get . "nodePort") }}
      nodePort: {{ .nodePort }}
      {{- end }}
{{- end }}
{{- end }}

{{/*
A NetworkPolicy over the chart's pods: ingress only to the named container port; from the pods of
networkPolicy.allowedApps and this release's helm tests when the chart has that list (from anywhere
otherwise); with "closeEgress", no egress at all. The chart decides when to render it and says why.
Call with (dict "context" . "port" "http" ["closeEgress" true]).
*/}}
{{- define "todo-common.networkPolicy" -}}
{{- $ctx := .context -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  {{- include "todo-common.metadata" $ctx | nindent 2 }}
spec:
  podSelector:
    matchLabels:
      {{- include "todo-common.selectorLabels" $ctx | nindent 6 }}
  policyTypes:
    - Ingress
    {{- if get . "closeEgress" }}
    - Egress
  egress: []
    {{- end }}
  ingress:
    - ports:
        - port: {{ .port }}
          protocol: TCP
      {{- if hasKey $ctx.Values.networkPolicy "allowedApps" }}
      from:
        {{- include "todo-common.networkPolicyPeers" $ctx | nindent 8 }}
      {{- end }}
{{- end }}
