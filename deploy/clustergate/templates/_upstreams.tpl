{{- /*
Named upstreams (values `upstreams`): rendered as the config file's
`upstreams:` section (internal/config/upstreams.go reads it). The checks
here mirror what that loader refuses, so a bad entry fails `helm template`
naming it, as `clustergate config check` would at start.
*/ -}}

{{/* Where the entries' Secrets are mounted: <root>/<surface>/<name>/<config key>. */}}
{{- define "clustergate.upstreamsRoot" -}}/etc/clustergate/upstreams{{- end -}}

{{/* Where ConfigMap <fullname>-upstreams is mounted. */}}
{{- define "clustergate.configDir" -}}/etc/clustergate/config{{- end -}}

{{/*
The keys an entry takes per surface (the yaml tags of IncusUpstream,
PortworxUpstream and CAPIUpstream; tests/deploy checks they agree), then
which of them name files a Secret may supply, and the chart's own keys.
*/}}
{{- define "clustergate.upstreamKeys" -}}
{{- dict
  "incus" (list "name" "default" "required" "breaker-failures" "breaker-cooldown" "socket" "url" "client-cert" "client-key" "server-cert" "api-key-file" "wait")
  "portworx" (list "name" "default" "required" "breaker-failures" "breaker-cooldown" "endpoint" "api-key-file" "ca-file" "client-cert" "client-key" "timeout" "retries")
  "capi" (list "name" "default" "required" "breaker-failures" "breaker-cooldown" "kubeconfig" "context" "workload-timeout" "impersonate")
  | toJson -}}
{{- end -}}
{{- define "clustergate.upstreamFileKeys" -}}
{{- dict
  "incus" (list "client-cert" "client-key" "server-cert" "api-key-file")
  "portworx" (list "ca-file" "client-cert" "client-key" "api-key-file")
  "capi" (list "kubeconfig")
  | toJson -}}
{{- end -}}

{{/* "true" when the single-upstream values define the surface's `default` upstream (config.flagsConfigure). */}}
{{- define "clustergate.flagsConfigure" -}}
{{- $v := .root.Values -}}
{{- if eq .surface "incus" -}}{{- if $v.incus.url -}}true{{- end -}}
{{- else if eq .surface "portworx" -}}{{- if $v.portworx.endpoint -}}true{{- end -}}
{{- else if eq .surface "capi" -}}{{- if or $v.capi.kubeconfigSecret $v.capi.enabled -}}true{{- end -}}
{{- end -}}
{{- end -}}

{{/*
"true" when the Cluster API surface uses the pod's service account and the
file lists capi entries too: clustergate keeps the flags' `default` upstream
beside file entries only when a kubeconfig is named, so the chart names one
that holds nothing secret (the service account's own token and CA files).
*/}}
{{- define "clustergate.capiInClusterKubeconfig" -}}
{{- if and (include "clustergate.capiInCluster" .) .Values.upstreams .Values.upstreams.capi -}}
{{- if .Values.capi.kubeContext -}}
{{- fail "capi.kubeContext names a context of capi.kubeconfigSecret; the in-cluster service account has none (give the capi entries their context)" -}}
{{- end -}}
true
{{- end -}}
{{- end -}}

{{/*
The files of one entry (dict surface, i, entry) as JSON: config key -> key
in the entry's Secret. Fails naming the entry when they do not fit.
*/}}
{{- define "clustergate.upstreamFiles" -}}
{{- $e := .entry -}}
{{- $at := printf "upstreams.%s[%d] (%s)" .surface .i (toString ($e.name | default "")) -}}
{{- $files := $e.files | default dict -}}
{{- if not (kindIs "map" $files) -}}
{{- fail (printf "%s: files must be a mapping of config key: Secret key" $at) -}}
{{- end -}}
{{- if and $files (not $e.secretName) -}}
{{- fail (printf "%s: files needs secretName, the Secret that holds them" $at) -}}
{{- end -}}
{{- if and $e.secretName (not $files) -}}
{{- if eq .surface "capi" -}}
{{- $files = dict "kubeconfig" "kubeconfig" -}}
{{- else -}}
{{- fail (printf "%s: secretName %s needs files, e.g. {client-cert: tls.crt}: which Secret key is which file" $at $e.secretName) -}}
{{- end -}}
{{- end -}}
{{- $allowed := index (include "clustergate.upstreamFileKeys" . | fromJson) .surface -}}
{{- range $key, $secretKey := $files -}}
{{- if not (has $key $allowed) -}}
{{- fail (printf "%s: files: %q is not a file of a %s upstream (%s)" $at $key $.surface (join ", " $allowed)) -}}
{{- end -}}
{{- if hasKey $e $key -}}
{{- fail (printf "%s: %s is given both as a path and in files; give one" $at $key) -}}
{{- end -}}
{{- if not (regexMatch "^[-._a-zA-Z0-9]+$" (toString $secretKey)) -}}
{{- fail (printf "%s: files: %s: %q is not a Secret key" $at $key (toString $secretKey)) -}}
{{- end -}}
{{- end -}}
{{- $files | toJson -}}
{{- end -}}

{{/*
The config file's `upstreams:` section, empty when no entry is given. Each
entry is checked as internal/config checks it (name given, well formed,
unique, not `default` when the single-upstream values define it; known
keys; at most one default: true).
*/}}
{{- define "clustergate.upstreamsConfig" -}}
{{- $root := include "clustergate.upstreamsRoot" . -}}
{{- $keys := include "clustergate.upstreamKeys" . | fromJson -}}
{{- $up := .Values.upstreams | default dict -}}
{{- range $k, $_ := $up -}}
{{- if not (hasKey $keys $k) -}}
{{- fail (printf "upstreams: unknown surface %q; want incus, portworx or capi" $k) -}}
{{- end -}}
{{- end -}}
{{- $out := dict -}}
{{- range $surface := list "incus" "portworx" "capi" -}}
{{- $entries := list -}}
{{- $seen := dict -}}
{{- $defaults := 0 -}}
{{- range $i, $e := index $up $surface | default list -}}
{{- if not (kindIs "map" $e) -}}
{{- fail (printf "upstreams.%s[%d]: want a mapping with a name" $surface $i) -}}
{{- end -}}
{{- $name := toString ($e.name | default "") -}}
{{- $at := printf "upstreams.%s[%d] (%s)" $surface $i $name -}}
{{- if not $name -}}
{{- fail (printf "%s: name: missing; every upstream needs a name" $at) -}}
{{- else if not (regexMatch "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$" $name) -}}
{{- fail (printf "%s: name: %q is not lower-case letters, digits and '-'" $at $name) -}}
{{- else if hasKey $seen $name -}}
{{- fail (printf "%s: name: %q is given twice" $at $name) -}}
{{- else if and (eq $name "default") (include "clustergate.flagsConfigure" (dict "root" $ "surface" $surface)) -}}
{{- fail (printf "%s: name: %q is the upstream the chart's %s values define; give this one another name" $at $name $surface) -}}
{{- end -}}
{{- $_ := set $seen $name true -}}
{{- if $e.default -}}{{- $defaults = add1 $defaults -}}{{- end -}}
{{- range $k, $_ := omit $e "secretName" "files" -}}
{{- if not (has $k (index $keys $surface)) -}}
{{- fail (printf "%s: unknown key %q; a %s upstream takes %s, secretName and files" $at $k $surface (join ", " (index $keys $surface))) -}}
{{- end -}}
{{- end -}}
{{- $c := omit $e "secretName" "files" -}}
{{- range $key, $_ := include "clustergate.upstreamFiles" (dict "surface" $surface "i" $i "entry" $e) | fromJson -}}
{{- $_ := set $c $key (printf "%s/%s/%s/%s" $root $surface $name $key) -}}
{{- end -}}
{{- $entries = append $entries $c -}}
{{- end -}}
{{- if gt $defaults 1 -}}
{{- fail (printf "upstreams.%s: more than one entry says default: true" $surface) -}}
{{- end -}}
{{- if $entries -}}{{- $_ := set $out $surface $entries -}}{{- end -}}
{{- end -}}
{{- if $out -}}{{- dict "upstreams" $out | toYaml -}}{{- end -}}
{{- end -}}

{{/*
The Secret volumes of the entries that name one (JSON list of volume, mount
path, Secret, items), for the Deployment.
*/}}
{{- define "clustergate.upstreamVolumes" -}}
{{- $vols := list -}}
{{- range $surface := list "incus" "portworx" "capi" -}}
{{- range $i, $e := index ($.Values.upstreams | default dict) $surface | default list -}}
{{- if $e.secretName -}}
{{- $items := list -}}
{{- range $key, $secretKey := include "clustergate.upstreamFiles" (dict "surface" $surface "i" $i "entry" $e) | fromJson -}}
{{- $items = append $items (dict "key" $secretKey "path" $key) -}}
{{- end -}}
{{- $vols = append $vols (dict "volume" (printf "upstream-%s-%d" $surface $i) "secret" $e.secretName "items" $items
  "path" (printf "%s/%s/%s" (include "clustergate.upstreamsRoot" $) $surface $e.name)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $vols | toJson -}}
{{- end -}}
