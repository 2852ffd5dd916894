package layout

import "strconv"

// PathStep is one step of a [Path]: into a named field, or into an element
// of an array or list.
type PathStep struct {
	// Name is the Go field name; empty for an element step.
	Name string
	// Index is the element's index, for an element step that has one.
	Index uint64
	// AnyIndex marks an element step that stands for every element, as in
	// a layout error about an array's element type ("A[].P").
	AnyIndex bool
}

// FieldStep returns the step into the field name.
func FieldStep(name string) PathStep { return PathStep{Name: name} }

// IndexStep returns the step into element i.
func IndexStep(i uint64) PathStep { return PathStep{Index: i} }

// Path says where inside a value something is, step by step from the
// value itself. The empty Path is the value.
type Path []PathStep

// String returns the path as Go would spell it, without the value:
// "U.Clock.Timeout", "Iovs[3].Len", "[2]", "A[].P".
func (p Path) String() string {
	var b []byte
	for _, s := range p {
		switch {
		case s.Name != "":
			if len(b) > 0 {
				b = append(b, '.')
			}
			b = append(b, s.Name...)
		case s.AnyIndex:
			b = append(b, "[]"...)
		default:
			b = append(b, '[')
			b = strconv.AppendUint(b, s.Index, 10)
			b = append(b, ']')
		}
	}
	return string(b)
}

// Prepend returns the path seen from an enclosing value: steps, then p.
// It does not modify p.
func (p Path) Prepend(steps ...PathStep) Path {
	out := make(Path, 0, len(steps)+len(p))
	return append(append(out, steps...), p...)
}
