{{/* Name of the chart, overridable. */}}
{{- define "clustergate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Fully qualified app name: release-chart unless the release name holds it. */}}
{{- define "clustergate.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "clustergate.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Standard labels (Kubernetes recommended labels). */}}
{{- define "clustergate.labels" -}}
helm.sh/chart: {{ include "clustergate.chart" . }}
{{ include "clustergate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: clustergate
{{- end -}}

{{/* Selector labels: stable across upgrades. */}}
{{- define "clustergate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "clustergate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "clustergate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "clustergate.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "clustergate.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{/* Name of the Secret the secret settings are read from. */}}
{{- define "clustergate.secretName" -}}
{{- .Values.secrets.existingSecret | default (include "clustergate.fullname" .) -}}
{{- end -}}

{{/* "true" when the chart creates its own Secret (inline values, no existingSecret). */}}
{{- define "clustergate.createSecret" -}}
{{- $s := .Values.secrets -}}
{{- if and (not $s.existingSecret) (or $s.apiKeys $s.incusApiKey $s.portworxApiKey) -}}true{{- end -}}
{{- end -}}

{{/* The most replicas the fleet can have: autoscaling.maxReplicas or replicaCount. */}}
{{- define "clustergate.maxReplicas" -}}
{{- if .Values.autoscaling.enabled -}}
{{- if lt (int .Values.autoscaling.maxReplicas) (int .Values.autoscaling.minReplicas) -}}
{{- fail "autoscaling.maxReplicas must be at least autoscaling.minReplicas" -}}
{{- end -}}
{{- int .Values.autoscaling.maxReplicas -}}
{{- else -}}
{{- int .Values.replicaCount -}}
{{- end -}}
{{- end -}}

{{/* CLUSTERGATE_RATE_LIMIT, per replica: rateLimit.perReplica, or perFleet divided by the most replicas. */}}
{{- define "clustergate.rateLimit" -}}
{{- $r := .Values.config.rateLimit -}}
{{- $per := toString $r.perReplica -}}
{{- $fleet := toString $r.perFleet -}}
{{- if and $per $fleet -}}
{{- fail "config.rateLimit: set either perReplica or perFleet, not both" -}}
{{- else if $per -}}
{{- $per -}}
{{- else if $fleet -}}
{{- if lt (float64 $fleet) 0.0 -}}{{- fail "config.rateLimit.perFleet must be 0 or more" -}}{{- end -}}
{{- divf (float64 $fleet) (max 1 (int (include "clustergate.maxReplicas" .))) | printf "%.6g" -}}
{{- end -}}
{{- end -}}

{{/* terminationGracePeriodSeconds: the wait before closing, the timeout, a margin. */}}
{{- define "clustergate.gracePeriod" -}}
{{- $sd := .Values.shutdown -}}
{{- range $k := list "delaySeconds" "timeoutSeconds" "preStopSleepSeconds" "graceMarginSeconds" -}}
{{- if not (regexMatch "^[0-9]+$" (toString (index $sd $k))) -}}
{{- fail (printf "shutdown.%s must be a whole number of seconds, not %q" $k (toString (index $sd $k))) -}}
{{- end -}}
{{- end -}}
{{- $wait := int $sd.delaySeconds -}}
{{- if eq $wait 0 -}}{{- $wait = int $sd.preStopSleepSeconds -}}{{- end -}}
{{- add $wait (int $sd.timeoutSeconds) (int $sd.graceMarginSeconds) -}}
{{- end -}}

{{/* "true" when the MCP listener runs stateless. */}}
{{- define "clustergate.mcpStateless" -}}
{{- $s := toString .Values.mcp.stateless -}}
{{- if eq $s "auto" -}}
{{- if gt (int (include "clustergate.maxReplicas" .)) 1 -}}true{{- else -}}false{{- end -}}
{{- else if eq $s "true" -}}true
{{- else if eq $s "false" -}}false
{{- else -}}
{{- fail (printf "mcp.stateless must be auto, true or false, not %q" $s) -}}
{{- end -}}
{{- end -}}

{{/* "true" when MCP is stateful and several replicas may serve it: the Service then keeps a client on one pod. */}}
{{- define "clustergate.sessionAffinity" -}}
{{- if and .Values.mcp.enabled (eq (include "clustergate.mcpStateless" .) "false") (gt (int (include "clustergate.maxReplicas" .)) 1) -}}true{{- end -}}
{{- end -}}

{{/* "true" when the pod talks to the Kubernetes API it runs in with its service account. */}}
{{- define "clustergate.capiInCluster" -}}
{{- if and .Values.capi.enabled (not .Values.capi.kubeconfigSecret) -}}true{{- end -}}
{{- end -}}

{{/*
Rules of the Cluster API role: exactly the calls adapters/capi makes against
the management cluster (controller-runtime direct client: no cache, so no
watch), narrowed by config.readOnly and config.disableDestructive, which
refuse the routes that need the other verbs:
  clusters           get, list (clusters.go, nodes.go, scale.go, adapter.go Ping)
                     create (create.go CreateCluster), delete (clusters.go DeleteCluster),
                     patch (scale.go scaleTopology: JSON patch of spec.topology)
  clusterclasses     get (create.go), list (templates.go ListTemplates)
  machinedeployments list (clusters.go machineDeployments), get (scale.go topologyName)
  machinedeployments/scale  update (scale.go scaleMachineDeployment: PUT .../scale)
  machines           list (nodes.go Nodes fallback)
  secrets            get (nodes.go readKubeconfig: <cluster>-kubeconfig)
create_cluster is not destructive (its hints), so disableDestructive keeps create.
*/}}
{{- define "clustergate.capiRules" -}}
{{- if .Values.capi.impersonate -}}
- apiGroups: [""]
  resources: ["users", "groups"]
  verbs: ["impersonate"]
{{- else -}}
{{- $ro := .Values.config.readOnly -}}
{{- $nd := .Values.config.disableDestructive -}}
{{- $clusterVerbs := list "get" "list" -}}
{{- if not $ro -}}{{- $clusterVerbs = append $clusterVerbs "create" -}}{{- end -}}
{{- if not (or $ro $nd) -}}{{- $clusterVerbs = concat $clusterVerbs (list "delete" "patch") -}}{{- end -}}
- apiGroups: ["cluster.x-k8s.io"]
  resources: ["clusters"]
  verbs: {{ $clusterVerbs | sortAlpha | toJson }}
- apiGroups: ["cluster.x-k8s.io"]
  resources: ["clusterclasses"]
  verbs: ["get", "list"]
{{- if or $ro $nd }}
- apiGroups: ["cluster.x-k8s.io"]
  resources: ["machinedeployments"]
  verbs: ["list"]
{{- else }}
- apiGroups: ["cluster.x-k8s.io"]
  resources: ["machinedeployments"]
  verbs: ["get", "list"]
- apiGroups: ["cluster.x-k8s.io"]
  resources: ["machinedeployments/scale"]
  verbs: ["update"]
{{- end }}
- apiGroups: ["cluster.x-k8s.io"]
  resources: ["machines"]
  verbs: ["list"]
{{- if .Values.capi.rbac.kubeconfigSecrets }}
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get"]
{{- end }}
{{- end }}
{{- end -}}
