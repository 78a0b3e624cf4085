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

{{/* Image reference of a component; the tag defaults to the chart's appVersion and is never "latest". */}}
{{- define "quiver.image" -}}
{{- $c := index (include "quiver.components" .ctx | fromYaml) .component -}}
{{- $tag := default .ctx.Chart.AppVersion .ctx.Values.image.tag -}}
{{- if eq $tag "latest" -}}
{{- fail "image.tag must name a version, not latest" -}}
{{- end -}}
{{- $repo := printf "%s/%s" .ctx.Values.image.repositoryPrefix $c.image -}}
{{- if .ctx.Values.image.registry -}}
{{- printf "%s/%s:%s" .ctx.Values.image.registry $repo $tag -}}
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
