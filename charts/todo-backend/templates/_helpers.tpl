{{/* The chart name, or nameOverride. */}}
{{- define "todo-backend.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The resource name: fullnameOverride, else the release name when it already contains the chart name
(release "todo-backend" gives "todo-backend", the name the frontend's default backendUrl expects).
*/}}
{{- define "todo-backend.fullname" -}}
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
{{- define "todo-backend.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The image tag in use: image.tag, else appVersion. */}}
{{- define "todo-backend.imageTag" -}}
{{- .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/* Labels shared by every object except the helm test pod (see todo-backend.testLabels). */}}
{{- define "todo-backend.commonLabels" -}}
helm.sh/chart: {{ include "todo-backend.chart" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ include "todo-backend.imageTag" . | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: todo-chatbot
{{- end }}

{{- define "todo-backend.labels" -}}
{{ include "todo-backend.commonLabels" . }}
app.kubernetes.io/name: {{ include "todo-backend.name" . }}
app.kubernetes.io/component: api
{{- end }}

{{/* The stable subset used by selectors: it must never change between releases. */}}
{{- define "todo-backend.selectorLabels" -}}
app.kubernetes.io/name: {{ include "todo-backend.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The helm test pod lacks the name label on purpose: with it the Service selector would route traffic to it.
The NetworkPolicy admits it by instance + component.
*/}}
{{- define "todo-backend.testLabels" -}}
{{ include "todo-backend.commonLabels" . }}
app.kubernetes.io/component: test
{{- end }}

{{- define "todo-backend.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "todo-backend.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* repository:tag, or repository:tag@digest when a digest pins it. */}}
{{- define "todo-backend.image" -}}
{{- $ref := printf "%s:%s" .Values.image.repository (include "todo-backend.imageTag" .) }}
{{- if .Values.image.digest }}
{{- $ref = printf "%s@%s" $ref .Values.image.digest }}
{{- end }}
{{- $ref }}
{{- end }}

{{- define "todo-backend.imagePullSecrets" -}}
{{- with .Values.image.pullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end }}

{{/* The Secret the pods read: the user's existingSecret, else the one this chart creates. */}}
{{- define "todo-backend.secretName" -}}
{{- .Values.existingSecret | default (include "todo-backend.fullname" .) }}
{{- end }}

{{/* A probe from its values (minus the enabled flag) and its handler; call with (dict "probe" ... "handler" ...). */}}
{{- define "todo-backend.probe" -}}
{{ toYaml .handler }}
{{ toYaml (omit .probe "enabled") }}
{{- end }}

{{/*
Environment shared by the API and migration containers. Secrets come from the Secret by reference; plain
settings from the ConfigMap (envFrom), so a change to either rolls the pods through the checksum annotations.
*/}}
{{- define "todo-backend.secretEnv" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "todo-backend.secretName" . }}
      key: database-url
{{- if .Values.betterAuth.allowHs256 }}
- name: BETTER_AUTH_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "todo-backend.secretName" . }}
      key: better-auth-secret
{{- end }}
- name: OPENAI_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "todo-backend.secretName" . }}
      key: openai-api-key
      optional: true
{{- end }}

{{- define "todo-backend.extraEnv" -}}
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

{{/* Soft or hard anti-affinity over nodes, unless a full affinity is given. */}}
{{- define "todo-backend.affinity" -}}
{{- if .Values.affinity }}
{{- toYaml .Values.affinity }}
{{- else if eq .Values.podAntiAffinity "soft" -}}
podAntiAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "todo-backend.selectorLabels" . | nindent 12 }}
{{- else if eq .Values.podAntiAffinity "hard" -}}
podAntiAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    - topologyKey: kubernetes.io/hostname
      labelSelector:
        matchLabels:
          {{- include "todo-backend.selectorLabels" . | nindent 10 }}
{{- end }}
{{- end }}
