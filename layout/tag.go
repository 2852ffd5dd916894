package layout

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"

	"github.com/fatih/structtag"
)

// tagKey is the struct tag key guestkit reads.
const tagKey = "guest"

// scalar is a guest scalar type named by a tag's TYPE.
type scalar struct {
	kind Kind
	size uint64
}

var scalars = map[string]scalar{
	"u8": {Uint, 1}, "u16": {Uint, 2}, "u32": {Uint, 4}, "u64": {Uint, 8},
	"i8": {Int, 1}, "i16": {Int, 2}, "i32": {Int, 4}, "i64": {Int, 8},
	"f32": {Float, 4}, "f64": {Float, 8}, "bool": {Bool, 1},
}

// fieldTag is a parsed `guest` tag.
type fieldTag struct {
	skip     bool    // "-"
	typ      *scalar // TYPE, when given
	typName  string
	align    uint64 // align=N, 0 when absent
	offset   uint64 // offset=N
	hasOff   bool
	tag      bool
	isCase   bool
	caseNum  uint64
	packed   bool
	union    bool
	hasMarks bool // packed, union or align given (struct-level options on a blank struct{} field)
}

// parseTag parses the `guest` entry of a struct tag. A missing entry gives
// the zero fieldTag.
func parseTag(raw string) (fieldTag, error) {
	var ft fieldTag
	if raw == "" {
		return ft, nil
	}
	tags, err := structtag.Parse(raw)
	if err != nil {
		return ft, fmt.Errorf("malformed struct tag %q: %v", raw, err)
	}
	t, err := tags.Get(tagKey)
	if err != nil {
		return ft, nil // no guest entry
	}
	if t.Name == "-" && len(t.Options) == 0 {
		ft.skip = true
		return ft, nil
	}
	if t.Name != "" {
		s, ok := scalars[t.Name]
		if !ok {
			return ft, fmt.Errorf("unknown guest type %q in tag `%s` (options follow a comma, as in \",packed\")", t.Name, t.Value())
		}
		ft.typ, ft.typName = &s, t.Name
	}
	for _, opt := range t.Options {
		if err := ft.option(opt); err != nil {
			return ft, fmt.Errorf("tag `%s`: %v", t.Value(), err)
		}
	}
	return ft, nil
}

func (ft *fieldTag) option(opt string) error {
	name, val, hasVal := strings.Cut(opt, "=")
	number := func() (uint64, error) {
		if !hasVal {
			return 0, fmt.Errorf("option %s needs a value (%s=N)", name, name)
		}
		n, err := strconv.ParseUint(val, 0, 64)
		if err != nil {
			return 0, fmt.Errorf("option %s: %q is not a number", name, val)
		}
		return n, nil
	}
	noValue := func() error {
		if hasVal {
			return fmt.Errorf("option %s takes no value", name)
		}
		return nil
	}
	var err error
	switch name {
	case "align":
		if ft.align, err = number(); err != nil {
			return err
		}
		if ft.align == 0 || bits.OnesCount64(ft.align) != 1 {
			return fmt.Errorf("align=%s is not a power of two", val)
		}
		ft.hasMarks = true
	case "offset":
		ft.offset, err = number()
		ft.hasOff = true
	case "case":
		ft.caseNum, err = number()
		ft.isCase = true
	case "tag":
		ft.tag = true
		err = noValue()
	case "packed":
		ft.packed, ft.hasMarks = true, true
		err = noValue()
	case "union":
		ft.union, ft.hasMarks = true, true
		err = noValue()
	default:
		return fmt.Errorf("unknown option %q", opt)
	}
	return err
}
