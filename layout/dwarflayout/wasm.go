package dwarflayout

import (
	"debug/dwarf"
	"errors"
	"fmt"
	"os"
	"strings"
)

// wasmSections returns the custom sections of a WebAssembly module or
// object file whose names start with ".debug_", by name.
func wasmSections(b []byte) (map[string][]byte, error) {
	if len(b) < 8 || string(b[:4]) != "\x00asm" {
		return nil, errors.New("not a WebAssembly module (no \\0asm magic)")
	}
	if v := uint32(b[4]) | uint32(b[5])<<8 | uint32(b[6])<<16 | uint32(b[7])<<24; v != 1 {
		return nil, fmt.Errorf("WebAssembly binary version %d, want 1 (a component is not supported)", v)
	}
	out := map[string][]byte{}
	for off := 8; off < len(b); {
		start := off
		id := b[off]
		off++
		size, n, err := uleb(b[off:])
		if err != nil {
			return nil, fmt.Errorf("section at byte %d: size: %v", start, err)
		}
		off += n
		if size > uint64(len(b)-off) {
			return nil, fmt.Errorf("section at byte %d: size %d runs past the end of the file (%d bytes)", start, size, len(b))
		}
		body := b[off : off+int(size)]
		off += int(size)
		if id != 0 {
			continue
		}
		nameLen, n, err := uleb(body)
		if err != nil || nameLen > uint64(len(body)-n) {
			return nil, fmt.Errorf("custom section at byte %d: malformed name", start)
		}
		name := string(body[n : n+int(nameLen)])
		if strings.HasPrefix(name, ".debug_") {
			out[name] = body[n+int(nameLen):]
		}
	}
	return out, nil
}

// uleb decodes an unsigned LEB128 number of at most 64 bits.
func uleb(b []byte) (v uint64, n int, err error) {
	for shift := uint(0); n < len(b) && n < 10; shift += 7 {
		c := b[n]
		n++
		v |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return v, n, nil
		}
	}
	return 0, n, errors.New("truncated or overlong LEB128 number")
}

// dwarfOf builds the DWARF data of a WebAssembly binary's debug sections.
func dwarfOf(b []byte) (d *dwarf.Data, err error) {
	secs, err := wasmSections(b)
	if err != nil {
		return nil, err
	}
	if len(secs[".debug_info"]) == 0 {
		return nil, errors.New("no .debug_info section: build the guest with clang -g and without -Wl,--strip-debug or -s")
	}
	defer func() {
		if r := recover(); r != nil { // debug/dwarf must not take the caller down
			d, err = nil, fmt.Errorf("malformed DWARF: %v", r)
		}
	}()
	d, err = dwarf.New(secs[".debug_abbrev"], secs[".debug_aranges"], nil, secs[".debug_info"],
		secs[".debug_line"], nil, secs[".debug_ranges"], secs[".debug_str"])
	if err != nil {
		return nil, fmt.Errorf("malformed DWARF: %v", err)
	}
	for _, name := range []string{".debug_addr", ".debug_line_str", ".debug_str_offsets", ".debug_rnglists"} {
		if s, ok := secs[name]; ok {
			if err := d.AddSection(name, s); err != nil {
				return nil, fmt.Errorf("malformed DWARF section %s: %v", name, err)
			}
		}
	}
	return d, nil
}

// Open reads the DWARF types of the WebAssembly module or object file at
// path. The module must carry debug sections: build it with clang -g.
func Open(path string) (*Guest, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("dwarflayout: %v", err)
	}
	g, err := Read(b)
	if err != nil {
		return nil, fmt.Errorf("dwarflayout: %s: %v", path, err)
	}
	return g, nil
}

// Read reads the DWARF types of a WebAssembly module or object file.
func Read(b []byte) (*Guest, error) {
	d, err := dwarfOf(b)
	if err != nil {
		return nil, err
	}
	return readTypes(d)
}
