{{ define "same" }}from-sub{{ end }}
