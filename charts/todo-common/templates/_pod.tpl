{{/*
The pod template's metadata: the chart's labels plus podLabels; checksums of the chart's own ConfigMap (with
"config": true) and of its Secret when it makes one, so a change to either rolls the pods; then podAnnotations.
Call with (dict "context" . "config" true|false).
*/}}
{{- define "todo-common.podMetadata" -}}
{{- $ctx := .context -}}
{{- $checksums := dict -}}
{{- if get . "config" }}
{{- $_ := set $checksums "checksum/config" (include (print $ctx.Template.BasePath "/configmap.yaml") $ctx | sha256sum) }}
{{- end }}
{{- if not $ctx.Values.existingSecret }}
{{- $_ := set $checksums "checksum/secret" (include (print $ctx.Template.BasePath "/secret.yaml") $ctx | sha256sum) }}
{{- end -}}
labels:
  {{- include "todo-common.labels" $ctx | nindent 2 }}
  {{- with $ctx.Values.podLabels }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- if or $checksums $ctx.Values.podAnnotations }}
annotations:
  {{- with $checksums }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
  {{- with $ctx.Values.podAnnotations }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end }}
{{- end }}

{{/*
The pod-level settings every pod of these charts shares, helm test pods included: its own ServiceAccount without
a token (no pod talks to the Kubernetes API), pull secrets and the pod security context.
*/}}
{{- define "todo-common.podSecurity" -}}
serviceAccountName: {{ include "todo-common.serviceAccountName" . }}
automountServiceAccountToken: false
{{- with .Values.image.pullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- end }}

{{/* The chart's image and the locked-down container security context: every container, init and test too. */}}
{{- define "todo-common.container" -}}
image: {{ include "todo-common.image" . }}
imagePullPolicy: {{ .Values.image.pullPolicy }}
securityContext:
  {{- toYaml .Values.securityContext | nindent 2 }}
{{- end }}

{{/*
The startup, liveness and readiness probes that are enabled, in that order: each takes its values (minus
"enabled") after the handler the chart passes. Joined rather than emitted line by line so the output starts with
no blank line. Call with (dict "context" . "startup" $handler "liveness" $handler "readiness" $handler), plus
"skip" (a list of those kinds) to leave some out whatever their values say.
*/}}
{{- define "todo-common.probes" -}}
{{- $probes := list }}
{{- $skip := get . "skip" | default list }}
{{- range $kind := list "startup" "liveness" "readiness" }}
{{- $probe := get $.context.Values (printf "%sProbe" $kind) }}
{{- if and $probe.enabled (not (has $kind $skip)) }}
{{- $body := printf "%s\n%s" (toYaml (get $ $kind)) (toYaml (omit $probe "enabled")) }}
{{- $probes = append $probes (printf "%sProbe:\n%s" $kind (indent 2 $body)) }}
{{- end }}
{{- end }}
{{- join "\n" $probes }}
{{- end }}

{{/* extraEnv as env entries: NAME: "value", or NAME: an EnvVarSource ({secretKeyRef: ...}). */}}
{{- define "todo-common.extraEnv" -}}
{{- range $name, $value := .Values.extraEnv }}
- name: {{ $name }}
{{- if kindIs "map" $value }}
  valueFrom:
    {{- toYaml $value | nindent 4 }}
{{- else }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/* An env entry read from the chart's Secret. Call with (dict "context" . "name" ENV "key" KEY ["optional" true]). */}}
{{- define "todo-common.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "todo-common.secretName" .context }}
      key: {{ .key }}
      {{- if get . "optional" }}
      optional: true
      {{- end }}
{{- end }}

{{/*
The pod's affinity: a full `affinity` when given, else podAntiAffinity spreads the pods over nodes: soft
(preferred), hard (required) or none; a chart without that value (todo-postgres, one pod) gets none.
*/}}
{{- define "todo-common.affinity" -}}
{{- $spread := get .Values "podAntiAffinity" | default "none" }}
{{- if .Values.affinity }}
{{- toYaml .Values.affinity }}
{{- else if eq $spread "soft" -}}
podAntiAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "todo-common.selectorLabels" . | nindent 12 }}
{{- else if eq $spread "hard" -}}
podAntiAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    - topologyKey: kubernetes.io/hostname
      labelSelector:
        matchLabels:
          {{- include "todo-common.selectorLabels" . | nindent 10 }}
{{- end }}
{{- end }}

{{/* affinity, nodeSelector and tolerations, each only when set; joined so the output starts with no blank line. */}}
{{- define "todo-common.scheduling" -}}
{{- $fields := list }}
{{- with include "todo-common.affinity" . }}
{{- $fields = append $fields (printf "affinity:\n%s" (indent 2 .)) }}
{{- end }}
{{- with .Values.nodeSelector }}
{{- $fields = append $fields (printf "nodeSelector:\n%s" (toYaml . | indent 2)) }}
{{- end }}
{{- with .Values.tolerations }}
{{- $fields = append $fields (printf "tolerations:\n%s" (toYaml . | indent 2)) }}
{{- end }}
{{- join "\n" $fields }}
{{- end }}

{{/*
The apps' preStop: keep serving while the endpoint removal reaches every node, then let SIGTERM stop the server.
The native sleep action (Kubernetes >= 1.30) needs no binary in the image.
*/}}
{{- define "todo-common.preStopSleep" -}}
lifecycle:
  preStop:
    sleep:
      seconds: {{ .Values.preStopSleepSeconds }}
{{- end }}
