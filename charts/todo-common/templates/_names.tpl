{{/*
Every template here is called with the including chart's root context (`.`), or with a dict whose "context" is
that root context: .Chart, .Values and .Release are always the application chart's, never this library's.
*/}}

{{/* The chart name, or nameOverride. */}}
{{- define "todo-common.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The resource name: fullnameOverride, else the release name when it already contains the chart name, so release
"todo-backend" gives "todo-backend": the host names the other charts' defaults (backendUrl, jwksUrl, the database
URL) expect.
*/}}
{{- define "todo-common.fullname" -}}
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
{{- define "todo-common.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "todo-common.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "todo-common.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret the pods read: the user's existingSecret, else the one the chart creates. */}}
{{- define "todo-common.secretName" -}}
{{- .Values.existingSecret | default (include "todo-common.fullname" .) }}
{{- end }}

{{/*
name, namespace and labels of an object. Called with the root context, or with a dict: "context", and optionally
"suffix" (appended to the name) and "annotations" (a map; omitted when empty).
*/}}
{{- define "todo-common.metadata" -}}
{{- $ctx := get . "context" | default . -}}
name: {{ include "todo-common.fullname" $ctx }}{{ get . "suffix" }}
namespace: {{ $ctx.Release.Namespace }}
labels:
  {{- include "todo-common.labels" $ctx | nindent 2 }}
{{- with get . "annotations" }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
