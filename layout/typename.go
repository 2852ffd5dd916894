package layout

import (
	"reflect"
	"strconv"
	"strings"
)

// TypeName names t as every guestkit message does, one way wherever the
// type appears: each package is named by the last element of its import
// path, so a type reads the same on its own ("hello.Color") as inside a
// generic type's arguments ("guestptr.Ptr[hello.Request]"), where Go
// itself prints the whole import path. In a program's package main both
// read "main.T".
func TypeName(t reflect.Type) string {
	if t == nil {
		return "<nil>"
	}
	if t.Name() == "" {
		switch t.Kind() {
		case reflect.Pointer:
			return "*" + TypeName(t.Elem())
		case reflect.Slice:
			return "[]" + TypeName(t.Elem())
		case reflect.Array:
			return "[" + strconv.Itoa(t.Len()) + "]" + TypeName(t.Elem())
		}
		return cutPaths(t.String())
	}
	s := t.String()
	if p := t.PkgPath(); p != "" {
		if i := strings.IndexByte(s, '.'); i >= 0 {
			s = p + s[i:] // the package by its path, cut below like the arguments'
		}
	}
	return cutPaths(s)
}

// cutPaths cuts every import path in a type's spelling to its last element.
func cutPaths(s string) string {
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
