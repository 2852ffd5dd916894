package layout

import (
	"fmt"
	"reflect"
)

// OpCode says what an [Op] does.
type OpCode uint8

// The operations of a [Plan].
const (
	// OpCopy moves Size bytes unchanged (integers and floats whose Go and
	// guest forms match; never Go memory that holds pointers).
	OpCopy OpCode = iota
	// OpUint moves an unsigned integer of Width guest bytes to GoWidth Go
	// bytes, zero-extending, after Check. Bools, enums and flags are OpUint.
	OpUint
	// OpInt moves a signed integer of Width guest bytes to GoWidth Go bytes,
	// sign-extending.
	OpInt
	// OpPointer moves one guest address to the Go pointer type Type.
	OpPointer
	// OpSpan moves a guest (address, length) pair to the Go type Type.
	OpSpan
	// OpArray runs Elem for Size elements, Stride guest bytes and GoStride
	// Go bytes apart. Elem offsets are relative to each element.
	OpArray
	// OpVariant reads a tag (an OpUint of Width and GoWidth at Offset and
	// GoOffset) and runs the ops of the matching case in Cases.
	OpVariant
	// OpBlock moves Size bytes of a copyable struct or array (see
	// Layout.Copyable): a read validates Block.Checks, then copies the
	// bytes, padding included, into the Go value (whose padding no Go code
	// can see); a write copies Block.Spans only, so guest padding is never
	// written.
	OpBlock
)

// Op is one step of a [Plan]. Offsets are relative to the start of the
// value the op list runs over.
type Op struct {
	Code     OpCode       // what the op does
	Width    uint8        // guest bytes of a scalar or tag
	GoWidth  uint8        // Go bytes of a scalar or tag
	Check    Check        // validation of a scalar, made when reading
	ReadOnly bool         // a union member after the first with guest bytes: read, never written
	Offset   uint64       // guest offset
	GoOffset uintptr      // Go offset
	Size     uint64       // OpCopy: bytes; OpArray: element count
	Stride   uint64       // OpArray: guest element size
	GoStride uintptr      // OpArray: Go element size
	Elem     []Op         // OpArray: the ops of one element
	Cases    []Case       // OpVariant: the cases in declaration order
	Block    *Block       // OpBlock: what to check and what to write
	Type     reflect.Type // the Go type the op moves
	// Path is the dotted field path from the op list's value, for errors.
	Path string
}

// Case is one case of a tagged union in a [Plan].
type Case struct {
	// Value is the tag value that selects the case.
	Value uint64
	// Ops move the payload; their offsets are relative to the union's
	// enclosing value, like the OpVariant's own.
	Ops []Op
	// GoOffset, GoSize and Type locate the Go field of the payload, which
	// a read sets to zero when another case is active.
	GoOffset uintptr
	GoSize   uintptr      // the payload's Go size
	Type     reflect.Type // the payload's Go type
}

// Block is what an OpBlock checks and writes.
type Block struct {
	// Checks are an OpUint for every checked scalar (bool, enum, flags) in
	// the block, with offsets relative to the block.
	Checks []Op
	// Spans are the byte ranges that hold fields, relative to the block,
	// merged where they touch. Padding and blank fields lie outside them.
	Spans []ByteRange
}

// ByteRange is a range of bytes.
type ByteRange struct {
	Offset uint64 // where the range starts
	Size   uint64 // how many bytes it has
}

// Plan is the compiled form of a [Layout]: a flat list of operations that
// package marshal runs to move a value between guest bytes and Go memory.
// Nested structs are flattened; padding and blank fields have no op, so they
// are never read or written.
type Plan struct {
	// Ops run in order over a value of Size guest bytes.
	Ops []Op
	// Size is the guest size of the value.
	Size uint64
	// Transparent repeats Layout.Transparent: Ops is then one OpCopy of
	// Size bytes.
	Transparent bool
}

func compile(l *Layout) *Plan {
	return &Plan{Ops: coalesce(emit(nil, l, 0, 0, "", false)), Size: l.Size, Transparent: l.Transparent}
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// emit appends the ops of l placed at guest offset off and Go offset goOff.
func emit(ops []Op, l *Layout, off uint64, goOff uintptr, path string, readOnly bool) []Op {
	base := Op{Offset: off, GoOffset: goOff, Path: path, ReadOnly: readOnly, Type: l.Type}
	switch {
	case l.Size == 0:
		return ops
	case l.Transparent:
		base.Code, base.Size = OpCopy, l.Size
		return append(ops, base)
	case l.Copyable && (l.Kind == Struct || l.Kind == Array):
		base.Code, base.Size, base.Block = OpBlock, l.Size, &Block{}
		collect(base.Block, l, 0, path)
		return append(ops, base)
	}
	switch l.Kind {
	case Bool, Uint, Int:
		base.Code, base.Width, base.GoWidth, base.Check = OpUint, uint8(l.Size), uint8(l.Type.Size()), l.Check
		if l.Kind == Int {
			base.Code = OpInt
		}
		return append(ops, base)
	case Pointer:
		base.Code = OpPointer
		return append(ops, base)
	case Span:
		base.Code = OpSpan
		return append(ops, base)
	case Array:
		base.Code, base.Size, base.Stride, base.GoStride = OpArray, l.Len, l.Elem.Size, l.Type.Elem().Size()
		base.Elem = coalesce(emit(nil, l.Elem, 0, 0, "", false))
		return append(ops, base)
	case Struct, Union:
		// A union writes its first member that has guest bytes; blank
		// and empty members before it do not count.
		written := false
		for _, f := range l.Fields {
			if !f.Blank {
				ops = emit(ops, f.Layout, off+f.Offset, goOff+f.GoOffset, joinPath(path, f.Name), readOnly || (l.Kind == Union && written))
				written = written || f.Layout.Size > 0
			}
		}
		return ops
	case Variant:
		tag := l.Fields[0]
		base.Code, base.Width, base.GoWidth = OpVariant, uint8(tag.Layout.Size), uint8(tag.Layout.Type.Size())
		base.Offset, base.GoOffset, base.Path = off+tag.Offset, goOff+tag.GoOffset, joinPath(path, tag.Name)
		for _, f := range l.Fields[1:] {
			base.Cases = append(base.Cases, Case{
				Value:    f.Case,
				Ops:      coalesce(emit(nil, f.Layout, off+f.Offset, goOff+f.GoOffset, joinPath(path, f.Name), readOnly)),
				GoOffset: goOff + f.GoOffset,
				GoSize:   f.Layout.Type.Size(),
				Type:     f.Layout.Type,
			})
		}
		return append(ops, base)
	}
	return ops
}

// collect gathers the checks and spans of a copyable layout placed at off.
func collect(b *Block, l *Layout, off uint64, path string) {
	switch l.Kind {
	case Struct:
		for _, f := range l.Fields {
			if !f.Blank {
				collect(b, f.Layout, off+f.Offset, joinPath(path, f.Name))
			}
		}
	case Array:
		for i := range l.Len {
			collect(b, l.Elem, off+i*l.Elem.Size, fmt.Sprintf("%s[%d]", path, i))
		}
	default:
		if l.Check.Kind != NoCheck {
			b.Checks = append(b.Checks, Op{Code: OpUint, Width: uint8(l.Size), GoWidth: uint8(l.Size), Check: l.Check, Offset: off, GoOffset: uintptr(off), Type: l.Type, Path: path})
		}
		if n := len(b.Spans); n > 0 && b.Spans[n-1].Offset+b.Spans[n-1].Size == off {
			b.Spans[n-1].Size += l.Size
		} else if l.Size > 0 {
			b.Spans = append(b.Spans, ByteRange{off, l.Size})
		}
	}
}

// coalesce merges neighbouring copies that are contiguous on both sides.
func coalesce(ops []Op) []Op {
	out := ops[:0]
	for _, op := range ops {
		if n := len(out); n > 0 && op.Code == OpCopy {
			last := &out[n-1]
			if last.Code == OpCopy && last.ReadOnly == op.ReadOnly &&
				last.Offset+last.Size == op.Offset && last.GoOffset+uintptr(last.Size) == op.GoOffset {
				last.Size += op.Size
				last.Type = nil
				continue
			}
		}
		out = append(out, op)
	}
	return out
}
