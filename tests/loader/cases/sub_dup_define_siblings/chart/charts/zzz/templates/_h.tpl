{{ define "same" }}from-zzz{{ end }}
