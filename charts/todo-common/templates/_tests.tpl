{{/*
A `helm test` pod around the container fields the chart gives as a named template (name, env, command): the
chart's image and security settings, tests.resources, no restarts. Its labels lack the name label, so no Service
routes to it. Helm deletes it before the next run and after a success; a failed one stays for its logs.
Call with (dict "context" . "container" "<chart>.testContainer").
*/}}
{{- define "todo-common.testPod" -}}
{{- $ctx := .context -}}
apiVersion: v1
kind: Pod
metadata:
  name: {{ include "todo-common.fullname" $ctx }}-test
  namespace: {{ $ctx.Release.Namespace }}
  labels:
    {{- include "todo-common.testLabels" $ctx | nindent 4 }}
  annotations:
    helm.sh/hook: test
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  restartPolicy: Never
  {{- include "todo-common.podSecurity" $ctx | nindent 2 }}
  containers:
    - {{ include .container $ctx | indent 6 | trim }}
      {{- include "todo-common.container" $ctx | nindent 6 }}
      resources:
        {{- toYaml $ctx.Values.tests.resources | nindent 8 }}
{{- end }}
