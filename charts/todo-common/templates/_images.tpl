{{/* The image tag in use: image.tag, else the chart's appVersion. */}}
{{- define "todo-common.imageTag" -}}
{{- .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/* repository:tag, or repository:tag@digest when a digest pins it. */}}
{{- define "todo-common.image" -}}
{{- $ref := printf "%s:%s" .Values.image.repository (include "todo-common.imageTag" .) }}
{{- if .Values.image.digest }}
{{- $ref = printf "%s@%s" $ref .Values.image.digest }}
{{- end }}
{{- $ref }}
{{- end }}
