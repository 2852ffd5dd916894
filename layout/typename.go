package layout

import "reflect"

// TypeName names t as every guestkit message does: Go's spelling of the
// type with each import path cut to its last element, so a type argument
// reads like the type itself ("guestptr.Ptr[wasi.Fdstat]", not
// "guestptr.Ptr[github.com/x/wasi.Fdstat]"). A type of package main reads
// "main.T" wherever it appears.
func TypeName(t reflect.Type) string {
	if t == nil {
		return "<nil>"
	}
	s := t.String()
	out := make([]byte, 0, len(s))
	word := 0 // where the current name started in out
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '/':
			out = out[:word]
		case c == '.' || c == '-' || c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80:
			out = append(out, c)
		default:
			out = append(out, c)
			word = len(out)
		}
	}
	return string(out)
}
