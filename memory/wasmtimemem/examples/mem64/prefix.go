package main

import (
	"bytes"
	"io"
)

// prefixWriter writes each line to w with prefix in front.
type prefixWriter struct {
	w       io.Writer
	prefix  string
	midLine bool
}

// Write writes b, a prefix in front of each line begun, in one Write to
// p.w. It reports len(b) on success, since the prefixes are not b's bytes.
func (p *prefixWriter) Write(b []byte) (int, error) {
	var buf bytes.Buffer
	for rest := b; len(rest) > 0; {
		if !p.midLine {
			buf.WriteString(p.prefix)
		}
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line = rest[:i+1]
		}
		buf.Write(line)
		p.midLine = line[len(line)-1] != '\n'
		rest = rest[len(line):]
	}
	if _, err := p.w.Write(buf.Bytes()); err != nil {
		return 0, err
	}
	return len(b), nil
}
