{{/* Chart name, overridable. */}}
{{- define "quiver.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-qualified name: the prefix of every resource. */}}
{{- define "quiver.fullname" -}}
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

{{/* The three services: values key, resource suffix, image, port. */}}
{{- define "quiver.components" -}}
ingest:
  suffix: event-ingest
  image: event-ingest
  port: 8081
edge:
  suffix: stream-edge
  image: stream-edge
  port: 8082
snapshot:
  suffix: snapshot-api
  image: snapshot-api
  port: 8083
{{- end -}}

{{/* Name of one component's resources. Call with (dict "ctx" $ "component" "edge"). */}}
{{- define "quiver.componentName" -}}
{{- $c := index (include "quiver.components" .ctx | fromYaml) .component -}}
{{- printf "%s-%s" (include "quiver.fullname" .ctx | trunc 50 | trimSuffix "-") $c.suffix -}}
{{- end -}}

{{- define "quiver.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of every resource. */}}
{{- define "quiver.labels" -}}
helm.sh/chart: {{ include "quiver.chart" . }}
app.kubernetes.io/name: {{ include "quiver.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: quiver
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels of one component. Call with (dict "ctx" $ "component" "edge"). */}}
{{- define "quiver.selectorLabels" -}}
{{- $c := index (include "quiver.components" .ctx | fromYaml) .component -}}
app.kubernetes.io/name: {{ include "quiver.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ $c.suffix }}
{{- end -}}

{{- define "quiver.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "quiver.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
Image reference of a component: <component>.image.repository, else <image.registry>/<image.repositoryPrefix>/<name>;
by digest when one is given, else by tag (the component's, image.tag, or the chart's appVersion; never "latest").
The chart names no default registry namespace: the project owns none, so the images come from where you put them.
*/}}
{{- define "quiver.image" -}}
{{- $c := index (include "quiver.components" .ctx | fromYaml) .component -}}
{{- $own := (index .ctx.Values .component).image | default dict -}}
{{- $tag := $own.tag | default .ctx.Values.image.tag | default .ctx.Chart.AppVersion -}}
{{- if eq $tag "latest" -}}
{{- fail "image.tag must name a version, not latest" -}}
{{- end -}}
{{- $repo := "" -}}
{{- if $own.repository -}}
{{- $repo = $own.repository -}}
{{- else if .ctx.Values.image.repositoryPrefix -}}
{{- $repo = printf "%s/%s" .ctx.Values.image.repositoryPrefix $c.image -}}
{{- if .ctx.Values.image.registry -}}
{{- $repo = printf "%s/%s" .ctx.Values.image.registry $repo -}}
{{- end -}}
{{- else -}}
{{- fail (printf "No image for %s: set image.registry and image.repositoryPrefix to where you pushed the images built from docker/Dockerfile (e.g. registry.example.com and quiver), or %s.image.repository. The chart has no default: the project publishes no images in a registry namespace of its own (docs/deploy.md)." $c.image .component) -}}
{{- end -}}
{{- $digest := $own.digest | default "" -}}
{{- if $digest -}}
{{- if not (regexMatch "^sha256:[0-9a-f]{64}$" $digest) -}}
{{- fail (printf "%s.image.digest must be sha256:<64 hex digits>" .component) -}}
{{- end -}}
{{- printf "%s@%s" $repo $digest -}}
{{- else -}}
{{- printf "%s:%s" $repo $tag -}}
{{- end -}}
{{- end -}}

{{/* Redis hosts as the services expect them. */}}
{{- define "quiver.redisHosts" -}}
{{- if .Values.redis.bundled.enabled -}}
{{- printf "redis://%s-redis:6379" (include "quiver.fullname" .) -}}
{{- else if .Values.redis.url -}}
{{- .Values.redis.url -}}
{{- else -}}
{{- fail "Set redis.url to your Redis (or redis.bundled.enabled=true for a development Redis)" -}}
{{- end -}}
{{- end -}}

{{/* Where secret files are mounted. */}}
{{- define "quiver.secretDir" -}}/etc/quiver/secrets{{- end -}}
