{{/* Names, labels, images, pod settings, HPA and PDB come from the todo-common library chart. */}}

{{/*
Secrets shared by the API and migration containers, by reference. Plain settings come from the ConfigMap
(envFrom); a change to either rolls the pods through the checksum annotations.
*/}}
{{- define "todo-backend.secretEnv" -}}
{{ include "todo-common.secretEnv" (dict "context" . "name" "DATABASE_URL" "key" "database-url") }}
{{- if .Values.betterAuth.allowHs256 }}
{{ include "todo-common.secretEnv" (dict "context" . "name" "BETTER_AUTH_SECRET" "key" "better-auth-secret") }}
{{- end }}
{{ include "todo-common.secretEnv" (dict "context" . "name" "OPENAI_API_KEY" "key" "openai-api-key" "optional" true) }}
{{- end }}
