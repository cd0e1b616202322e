{{/*
An external PostgreSQL whose server certificate comes from a private CA: database.caSecret names a Secret
holding the CA bundle under database.caKey. It is mounted read-only and PGSSLROOTCERT points at it, which libpq
(the backend's psycopg) and the frontend's lib/pg-config.ts both read as sslrootcert: with sslmode=require the
chain is then verified (as verify-ca), verify-ca and verify-full verify against it. Nothing when caSecret is empty.
*/}}
{{- define "todo-common.databaseCaPath" -}}
/etc/todo/database-ca/{{ .Values.database.caKey }}
{{- end }}

{{- define "todo-common.databaseCaEnv" -}}
{{- if .Values.database.caSecret -}}
- name: PGSSLROOTCERT
  value: {{ include "todo-common.databaseCaPath" . | quote }}
{{- end }}
{{- end }}

{{- define "todo-common.databaseCaMount" -}}
{{- if .Values.database.caSecret -}}
- name: database-ca
  mountPath: /etc/todo/database-ca
  readOnly: true
{{- end }}
{{- end }}

{{- define "todo-common.databaseCaVolume" -}}
{{- if .Values.database.caSecret -}}
- name: database-ca
  secret:
    secretName: {{ .Values.database.caSecret }}
    items:
      - key: {{ .Values.database.caKey }}
        path: {{ .Values.database.caKey }}
{{- end }}
{{- end }}
