{{ define "lib.hello" }}hello {{ .Values.who }}{{ end }}
