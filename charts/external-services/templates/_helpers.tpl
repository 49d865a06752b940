{{/*
Expand the name of the chart.
*/}}
{{- define "external-services.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Create a default fully qualified app name.
We truncate at 63 chars because some Kubernetes name fields are limited to this (by the DNS naming spec).
If the release name contains the chart name it is used as the full name.
*/}}
{{- define "external-services.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Create chart name and version as used by the chart label.
*/}}
{{- define "external-services.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels
*/}}
{{- define "external-services.labels" -}}
helm.sh/chart: {{ include "external-services.chart" . }}
{{ include "external-services.selectorLabels" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Selector labels
*/}}
{{- define "external-services.selectorLabels" -}}
app.kubernetes.io/name: {{ include "external-services.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Labels of the objects of one external service. Called with a dict: root (the top-level context)
and service (the entry of .Values.services).
*/}}
{{- define "external-services.serviceLabels" -}}
{{ include "external-services.labels" .root }}
app.kubernetes.io/component: {{ .service.name }}
{{- end }}

{{/*
Name of the Service and Endpoints of one external service (they must be equal for Kubernetes to
route the Service to the Endpoints).
*/}}
{{- define "external-services.serviceName" -}}
{{- printf "%s-external" .name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Namespace of every object: .Values.namespace, else the release namespace.
*/}}
{{- define "external-services.namespace" -}}
{{- .Values.namespace | default .Release.Namespace }}
{{- end }}
