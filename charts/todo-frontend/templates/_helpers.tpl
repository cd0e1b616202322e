{{/* The chart name, or nameOverride. */}}
{{- define "todo-frontend.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The resource name: fullnameOverride, else the release name when it already contains the chart name
(release "todo-frontend" gives "todo-frontend", the name the backend's default jwksUrl expects).
*/}}
{{- define "todo-frontend.fullname" -}}
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
{{- define "todo-frontend.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The image tag in use: image.tag, else appVersion. */}}
{{- define "todo-frontend.imageTag" -}}
{{- .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/* Labels shared by every object except the helm test pod (see todo-frontend.testLabels). */}}
{{- define "todo-frontend.commonLabels" -}}
helm.sh/chart: {{ include "todo-frontend.chart" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ include "todo-frontend.imageTag" . | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: todo-chatbot
{{- end }}

{{- define "todo-frontend.labels" -}}
{{ include "todo-frontend.commonLabels" . }}
app.kubernetes.io/name: {{ include "todo-frontend.name" . }}
app.kubernetes.io/component: web
{{- end }}

{{/* The stable subset used by selectors: it must never change between releases. */}}
{{- define "todo-frontend.selectorLabels" -}}
app.kubernetes.io/name: {{ include "todo-frontend.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The helm test pod lacks the name label on purpose: with it the Service selector would route traffic to it.
*/}}
{{- define "todo-frontend.testLabels" -}}
{{ include "todo-frontend.commonLabels" . }}
app.kubernetes.io/component: test
{{- end }}

{{- define "todo-frontend.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "todo-frontend.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* repository:tag, or repository:tag@digest when a digest pins it. */}}
{{- define "todo-frontend.image" -}}
{{- $ref := printf "%s:%s" .Values.image.repository (include "todo-frontend.imageTag" .) }}
{{- if .Values.image.digest }}
{{- $ref = printf "%s@%s" $ref .Values.image.digest }}
{{- end }}
{{- $ref }}
{{- end }}

{{- define "todo-frontend.imagePullSecrets" -}}
{{- with .Values.image.pullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
{{- end }}

{{/* The Secret the pods read: the user's existingSecret, else the one this chart creates. */}}
{{- define "todo-frontend.secretName" -}}
{{- .Values.existingSecret | default (include "todo-frontend.fullname" .) }}
{{- end }}

{{/* A probe from its values (minus the enabled flag) and its handler; call with (dict "probe" ... "handler" ...). */}}
{{- define "todo-frontend.probe" -}}
{{ toYaml .handler }}
{{ toYaml (omit .probe "enabled") }}
{{- end }}

{{/* Secrets reach the container by reference, never through the ConfigMap. */}}
{{- define "todo-frontend.secretEnv" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "todo-frontend.secretName" . }}
      key: database-url
- name: BETTER_AUTH_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "todo-frontend.secretName" . }}
      key: better-auth-secret
{{- end }}

{{- define "todo-frontend.extraEnv" -}}
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
{{- define "todo-frontend.affinity" -}}
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
            {{- include "todo-frontend.selectorLabels" . | nindent 12 }}
{{- else if eq .Values.podAntiAffinity "hard" -}}
podAntiAffinity:
  requiredDuringSchedulingIgnoredDuringExecution:
    - topologyKey: kubernetes.io/hostname
      labelSelector:
        matchLabels:
          {{- include "todo-frontend.selectorLabels" . | nindent 10 }}
{{- end }}
{{- end }}
