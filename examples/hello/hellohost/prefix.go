package hellohost

import (
	"bytes"
	"io"
)

// PrefixWriter writes each line to an io.Writer with a prefix in front:
// how the examples label the host's and the guest's output.
type PrefixWriter struct {
	w       io.Writer
	prefix  string
	midLine bool
}

// Write writes b, a prefix in front of each line begun, in one Write to
// p.w. It reports len(b) on success, since the prefixes are not b's bytes.
func (p *PrefixWriter) Write(b []byte) (int, error) {
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

// NewPrefixWriter returns a PrefixWriter to w with prefix.
func NewPrefixWriter(w io.Writer, prefix string) *PrefixWriter {
	return &PrefixWriter{w: w, prefix: prefix}
}
