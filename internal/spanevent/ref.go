package spanevent

import (
	"reflect"
	"unsafe"
	"weak"

	"go.opentelemetry.io/otel/trace"
)

// spanRef identifies a span object and reaches it without keeping it
// alive.
//
// Most spans are pointers: the SDK's, and the wrappers around it. For
// those, spanRef keeps the object's address, for identity, and a weak
// pointer with the span's type, so that the sweep can still ask a live
// span whether it records, and a span the program drops without ending is
// reclaimed all the same. A span of another shape is held strongly, and
// swept once it stops recording.
type spanRef struct {
	addr   uintptr            // of the span object; 0: not a pointer
	weak   weak.Pointer[byte] // to the same object, set by keep
	typ    reflect.Type       // the span's pointer type, set by keep
	strong trace.Span         // a span that is not a pointer
}

// addrOf returns the address of span's object when span is a non-nil
// pointer, and 0 otherwise.
func addrOf(span trace.Span) uintptr {
	v := reflect.ValueOf(span)
	if v.Kind() == reflect.Pointer && !v.IsNil() {
		return v.Pointer()
	}
	return 0
}

// keep returns r ready to be stored for span: with the weak pointer and
// type that span needs.
func (r spanRef) keep(span trace.Span) spanRef {
	if r.addr != 0 {
		v := reflect.ValueOf(span)
		r.typ = v.Type()
		r.weak = weak.Make((*byte)(v.UnsafePointer()))
	}
	return r
}

// is reports whether r and o refer to the same span object. While the
// caller holds the span o was made from, no other object has its address.
// Spans that are neither pointers nor comparable are told apart by their
// ids only.
func (r spanRef) is(o spanRef) bool {
	if r.addr != 0 || o.addr != 0 {
		return r.addr == o.addr
	}
	tr, to := reflect.TypeOf(r.strong), reflect.TypeOf(o.strong)
	if tr != to {
		return false
	}
	if tr == nil || !tr.Comparable() {
		return true
	}
	return r.strong == o.strong
}

// span returns the span, or nil once it was reclaimed.
func (r spanRef) span() trace.Span {
	if r.addr == 0 {
		return r.strong
	}
	p := r.weak.Value()
	if p == nil {
		return nil
	}
	return reflect.NewAt(r.typ.Elem(), unsafe.Pointer(p)).Interface().(trace.Span)
}
