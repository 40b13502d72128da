package kube

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// fieldReader walks the fields of one message: num and wire are the current field's, u its
// varint value, msg[vs:ve] its bytes (length-delimited). Advancing writes only integers: a
// reader holding slices of the current field paid a write barrier per field while the collector
// ran.
type fieldReader struct {
	msg          []byte
	i, vs, ve    int
	num, wire, u uint64
	err          error
}

func fieldsOf(msg []byte) fieldReader { return fieldReader{msg: msg} }

// maxFieldNumber is protobuf's largest field number. The generated decoders read a key's number
// as an int32, so a bigger one would name a field to them and not to this reader: an error here
// leaves such bytes to them.
const maxFieldNumber = 1<<29 - 1

var errWire = errors.New("protobuf: a field of an unexpected wire type")

// advance moves to the following field; false at the end or on a broken message (then err is
// set).
func (f *fieldReader) advance() bool {
	if f.err != nil || f.i >= len(f.msg) {
		return false
	}
	key, n := binary.Uvarint(f.msg[f.i:])
	if n <= 0 || key>>3 == 0 || key>>3 > maxFieldNumber {
		return f.fail("protobuf: a broken field key")
	}
	f.i += n
	f.num, f.wire = key>>3, key&7
	size := 0
	switch f.wire {
	case 0:
		f.u, n = binary.Uvarint(f.msg[f.i:])
		if n <= 0 {
			return f.fail("protobuf: a broken varint")
		}
		size = n
	case 1:
		size = 8
	case 5:
		size = 4
	case 2:
		l, n := binary.Uvarint(f.msg[f.i:])
		if n <= 0 || l > uint64(len(f.msg)-f.i-n) {
			return f.fail("protobuf: a field overruns its message")
		}
		f.vs, f.ve = f.i+n, f.i+n+int(l)
		size = n + int(l)
	default:
		return f.fail(fmt.Sprintf("protobuf: wire type %d", f.wire))
	}
	if size > len(f.msg)-f.i {
		return f.fail("protobuf: a field overruns its message")
	}
	f.i += size
	return true
}

func (f *fieldReader) fail(why string) bool {
	f.err = errors.New(why)
	return false
}

// message is the field as an embedded message (or bytes); nil with errWire if it is not one.
func (f *fieldReader) message() []byte {
	if f.wire != 2 {
		f.err = errWire
		return nil
	}
	return f.msg[f.vs:f.ve]
}

func (f *fieldReader) text() string { return string(f.message()) }

func (f *fieldReader) varint() uint64 {
	if f.wire != 0 {
		f.err = errWire
		return 0
	}
	return f.u
}
