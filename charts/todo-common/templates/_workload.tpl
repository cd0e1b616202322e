{{/*
The apps' Deployment spec up to the pod template: replicas unless an HPA owns them, history for rollbacks, a
rollout that never drops below the desired pods, and the stable selector.
*/}}
{{- define "todo-common.deploymentSpec" -}}
{{ if not .Values.autoscaling.enabled -}}
replicas: {{ .Values.replicaCount }}
{{ end -}}
revisionHistoryLimit: {{ .Values.revisionHistoryLimit }}
strategy:
  type: RollingUpdate
  rollingUpdate:
    # A new pod must be ready before an old one goes; all new pods start at once, so a rollout takes one
    # pod's start rather than one per replica (for a moment the app holds twice its requests).
    maxUnavailable: 0
    maxSurge: 100%
selector:
  matchLabels:
    {{- include "todo-common.selectorLabels" . | nindent 4 }}
{{- end }}

{{/*
The fewest pods the workload runs: autoscaling.minReplicas under an HPA, else replicaCount; a chart without
replicaCount (todo-postgres's StatefulSet) runs one.
*/}}
{{- define "todo-common.minReplicas" -}}
{{- $scaling := get .Values "autoscaling" }}
{{- if and $scaling $scaling.enabled }}
{{- .Values.autoscaling.minReplicas }}
{{- else if hasKey .Values "replicaCount" }}
{{- .Values.replicaCount }}
{{- else }}1
{{- end }}
{{- end }}

{{/* The ServiceAccount: the pods never talk to the Kubernetes API, so it mounts no token. */}}
{{- define "todo-common.serviceAccount" -}}
{{- if .Values.serviceAccount.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "todo-common.serviceAccountName" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "todo-common.labels" . | nindent 4 }}
  {{- with .Values.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
automountServiceAccountToken: false
{{- end }}
{{- end }}

{{/*
The HorizontalPodAutoscaler of the chart's Deployment, on CPU and optionally memory. A minimum above the maximum
stops the render here: the API server would accept the object and the HPA would then refuse to scale.
*/}}
{{- define "todo-common.hpa" -}}
{{- with .Values.autoscaling }}
{{- if .enabled }}
{{- if gt (int .minReplicas) (int .maxReplicas) }}
{{- fail (printf "%s: autoscaling.minReplicas (%d) is above autoscaling.maxReplicas (%d): the autoscaler could never satisfy both" $.Chart.Name (int .minReplicas) (int .maxReplicas)) }}
{{- end }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  {{- include "todo-common.metadata" $ | nindent 2 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "todo-common.fullname" $ }}
  minReplicas: {{ .minReplicas }}
  maxReplicas: {{ .maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .targetCPUUtilizationPercentage }}
    {{- with .targetMemoryUtilizationPercentage }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ . }}
    {{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The PodDisruptionBudget, minAvailable when set, else maxUnavailable. A budget that lets no pod go at the workload's
lowest pod count (minAvailable >= those pods, or maxUnavailable 0; percentages round up as Kubernetes rounds them)
stops the render: it would make every node drain hang.
*/}}
{{- define "todo-common.pdb" -}}
{{- with .Values.podDisruptionBudget }}
{{- if .enabled }}
{{- $pods := include "todo-common.minReplicas" $ | float64 }}
{{- $setting := ternary "maxUnavailable" "minAvailable" (kindIs "invalid" .minAvailable) }}
{{- $value := get . $setting }}
{{- $count := $value | toString | trimSuffix "%" | float64 }}
{{- if kindIs "string" $value }}
{{- $count = ceil (divf (mulf $count $pods) 100) }}
{{- end }}
{{- $evictable := ternary $count (subf $pods $count) (eq $setting "maxUnavailable") }}
{{- if and (gt $pods 0.0) (le $evictable 0.0) }}
{{- fail (printf "%s: podDisruptionBudget.%s %v lets no pod be evicted while the workload runs %v pod(s) at its lowest, so every node drain would hang: allow at least one pod to go (lower minAvailable, use maxUnavailable >= 1) or run more replicas" $.Chart.Name $setting $value $pods) }}
{{- end }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  {{- include "todo-common.metadata" $ | nindent 2 }}
spec:
  {{ $setting }}: {{ $value }}
  selector:
    matchLabels:
      {{- include "todo-common.selectorLabels" $ | nindent 6 }}
{{- end }}
{{- end }}
{{- end }}
