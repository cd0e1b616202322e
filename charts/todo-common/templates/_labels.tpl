{{/*
Labels shared by every object, the helm test pods included. app.kubernetes.io/component comes from the same
annotation in the chart's Chart.yaml, so the library needs no per-chart template.
*/}}
{{- define "todo-common.commonLabels" -}}
helm.sh/chart: {{ include "todo-common.chart" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ include "todo-common.imageTag" . | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: todo-chatbot
{{- end }}

{{- define "todo-common.labels" -}}
{{ include "todo-common.commonLabels" . }}
app.kubernetes.io/name: {{ include "todo-common.name" . }}
app.kubernetes.io/component: {{ required (printf "%s: Chart.yaml needs the annotation app.kubernetes.io/component (todo-common labels read it)" .Chart.Name) (index .Chart.Annotations "app.kubernetes.io/component") }}
{{- end }}

{{/* The stable subset used by selectors: it must never change between releases. */}}
{{- define "todo-common.selectorLabels" -}}
app.kubernetes.io/name: {{ include "todo-common.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The helm test pod lacks the name label on purpose: with it the Service selector would route traffic to it.
NetworkPolicies admit it by instance + component (see todo-common.networkPolicyPeers).
*/}}
{{- define "todo-common.testLabels" -}}
{{ include "todo-common.commonLabels" . }}
app.kubernetes.io/component: test
{{- end }}
