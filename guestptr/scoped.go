package guestptr

import "errors"

// WithSlice calls f with a shared view of s's elements and releases the
// view when f returns or panics (the panic goes on). The []T must not be
// kept past f. It returns f's error, or the error taking the view.
func WithSlice[T any](s Slice[T], f func([]T) error) (err error) {
	v, err := s.AsSlice()
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, v.Release()) }()
	return f(v.Slice())
}

// WithSliceMut calls f with a mutable view of s's elements and releases
// the view when f returns or panics (the panic goes on), writing it through
// if the memory moved. The []T must not be kept past f.
func WithSliceMut[T any](s Slice[T], f func([]T) error) (err error) {
	v, err := s.AsSliceMut()
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, v.Release()) }()
	return f(v.Slice())
}

// WithStr calls f with a shared view of the string, UTF-8 checked, and
// releases the view when f returns or panics (the panic goes on). The
// string aliases guest memory and must not be kept past f.
func WithStr(s String, f func(string) error) (err error) {
	v, err := s.AsStr()
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, v.Release()) }()
	return f(v.String())
}

// WithStrMut calls f with a mutable view of the string's bytes, UTF-8
// checked, and releases the view when f returns or panics (the panic goes
// on). The bytes must not be kept past f.
func WithStrMut(s String, f func([]byte) error) (err error) {
	v, err := s.AsStrMut()
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, v.Release()) }()
	return f(v.Bytes())
}
