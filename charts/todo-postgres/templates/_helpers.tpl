{{/* The chart name, or nameOverride. */}}
{{- define "todo-postgres.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The resource name: fullnameOverride, else the release name when it already contains the chart name
(release "todo-postgres" gives "todo-postgres", the host name in the apps' database URLs).
*/}}
{{- define "todo-postgres.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* chart-version for the helm.sh/chart label. */}}
{{- define "todo-postgres.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The image tag in use: image.tag, else appVersion. */}}
{{- define "todo-postgres.imageTag" -}}
{{- .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/* Labels shared by every object except the helm test pod (see todo-postgres.testLabels). */}}
{{- define "todo-postgres.commonLabels" -}}
helm.sh/chart: {{ include "todo-postgres.chart" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ include "todo-postgres.imageTag" . | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: todo-chatbot
{{- end }}

{{- define "todo-postgres.labels" -}}
{{ include "todo-postgres.commonLabels" . }}
app.kubernetes.io/name: {{ include "todo-postgres.name" . }}
app.kubernetes.io/component: database
{{- end }}

{{/* The stable subset used by selectors: it must never change between releases. */}}
{{- define "todo-postgres.selectorLabels" -}}
app.kubernetes.io/name: {{ include "todo-postgres.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The helm test pod lacks the name label on purpose: with it the Service selector would route traffic to it.
The NetworkPolicy admits it by instance + component.
*/}}
{{- define "todo-postgres.testLabels" -}}
{{ include "todo-postgres.commonLabels" . }}
app.kubernetes.io/component: test
{{- end }}

{{- define "todo-postgres.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "todo-postgres.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* repository:tag, or repository:tag@digest when a digest pins it. */}}
{{- define "todo-postgres.image" -}}
{{- $ref := printf "%s:%s" .Values.image.repository (include "todo-postgres.imageTag" .) }}
{{- if .Values.image.digest }}
{{- $ref = printf "%s@%s" $ref .Values.image.digest }}
{{- end }}
{{- $ref }}
{{- end }}

{{- define "todo-postgres.imagePullSecrets" -}}
{{- with .Values.image.pullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end }}

{{/* The Secret the pods read: the user's existingSecret, else the one this chart creates. */}}
{{- define "todo-postgres.secretName" -}}
{{- .Values.existingSecret | default (include "todo-postgres.fullname" .) }}
{{- end }}

{{/* A probe from its values (minus the enabled flag) and its handler; call with (dict "probe" ... "handler" ...). */}}
{{- define "todo-postgres.probe" -}}
{{ toYaml .handler }}
{{ toYaml (omit .probe "enabled") }}
{{- end }}

{{- define "todo-postgres.extraEnv" -}}
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
