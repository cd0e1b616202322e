{{/* Names, labels, images, pod settings, Service, HPA and PDB come from the todo-common library chart. */}}

{{/*
The environment of the API and migration containers alike: plain settings from the ConfigMap (envFrom), secrets
by reference to the Secret (the HS256 key only when that is allowed), then extraEnv. A change to the ConfigMap or
a chart-made Secret rolls the pods through the checksum annotations.
*/}}
{{- define "todo-backend.env" -}}
envFrom:
  - configMapRef:
      name: {{ include "todo-common.fullname" . }}
env:
  {{- include "todo-common.secretEnv" (dict "context" . "name" "DATABASE_URL" "key" "database-url") | nindent 2 }}
  {{- if .Values.betterAuth.allowHs256 }}
  {{- include "todo-common.secretEnv" (dict "context" . "name" "BETTER_AUTH_SECRET" "key" "better-auth-secret") | nindent 2 }}
  {{- end }}
  {{- include "todo-common.secretEnv" (dict "context" . "name" "OPENAI_API_KEY" "key" "openai-api-key" "optional" true) | nindent 2 }}
  {{- with (include "todo-common.databaseCaEnv" .) }}{{ . | nindent 2 }}{{ end }}
  {{- with (include "todo-common.extraEnv" .) }}{{ . | nindent 2 }}{{ end }}
{{- end }}
