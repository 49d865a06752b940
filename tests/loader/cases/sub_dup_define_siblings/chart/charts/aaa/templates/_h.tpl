{{ define "same" }}from-aaa{{ end }}
