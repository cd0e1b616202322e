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

{{/* The metadata of a `helm test` pod: deleted before the next run and after success (failures stay for logs). */}}
{{- define "todo-common.testPodMetadata" -}}
name: {{ include "todo-common.fullname" . }}-test
namespace: {{ .Release.Namespace }}
labels:
  {{- include "todo-common.testLabels" . | nindent 2 }}
annotations:
  helm.sh/hook: test
  helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
{{- end }}
