{{ define "same" }}from-parent{{ end }}
