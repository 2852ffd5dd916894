// Package fault holds deliberate faults that tests switch on to show that
// the differential tests catch a broken canonical ABI rule. Never set in
// production.
package fault

import "sync/atomic"

// VariantPayload, when set, places variant payloads right after the
// discriminant instead of at align_to(disc_size, max_case_alignment).
// Codecs compiled while it is set are cached apart from the others.
var VariantPayload atomic.Bool
