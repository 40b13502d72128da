package kube

import (
	"encoding/binary"
	"fmt"
)

// protoPrune says which fields of a protobuf message to keep before it is decoded: the generated
// decoder allocates every string, map and nested message it meets, and a pod's managed fields,
// environment, probes and image names were most of the first list's decoding and garbage, for
// fields the cache drops anyway (PodOf). Pruning copies bytes; it decodes nothing.
type protoPrune struct {
	only map[uint64]*protoPrune // keep only these fields, each whole (nil) or pruned by its rule
	drop map[uint64]bool        // or keep every field but these (new fields are kept)
}

// podPrune keeps what PodOf reads (pod.go): the metadata but what it clears; the node, the
// claims, the requests; the phase, the Ready condition's fields, the containers' states.
var podPrune = &protoPrune{only: map[uint64]*protoPrune{
	1: {drop: map[uint64]bool{2: true, 11: true, 12: true, 13: true, 17: true}}, // metadata: not generateName, labels, annotations, ownerReferences, managedFields
	2: {only: map[uint64]*protoPrune{ // spec
		1:  {only: map[uint64]*protoPrune{1: nil, 2: {only: map[uint64]*protoPrune{10: nil}}}}, // volumes: name, persistentVolumeClaim
		2:  {only: map[uint64]*protoPrune{8: {only: map[uint64]*protoPrune{2: nil}}}},          // containers: resources.requests
		10: nil,                                                                                // nodeName
		32: nil,                                                                                // overhead
	}},
	3: {only: map[uint64]*protoPrune{ // status
		1: nil,                                                            // phase
		2: {only: map[uint64]*protoPrune{1: nil, 2: nil, 4: nil, 5: nil}}, // conditions: type, status, lastTransitionTime, reason
		4: nil,                                                            // reason
		8: {only: map[uint64]*protoPrune{1: nil, 2: nil, 4: nil, 5: nil}}, // containerStatuses: name, state, ready, restartCount
	}},
}}

// nodePrune keeps of a Node what trim keeps: not its annotations and managed fields, nor the
// images (a site's nodes list every image they hold, most of a Node's bytes) and volumes.
var nodePrune = &protoPrune{only: map[uint64]*protoPrune{
	1: {drop: map[uint64]bool{12: true, 17: true}},         // metadata: not annotations, managedFields
	2: nil,                                                 // spec
	3: {drop: map[uint64]bool{8: true, 9: true, 10: true}}, // status: not images, volumesInUse, volumesAttached
}}

// pruner prunes messages into buffers it reuses (one per depth), so pruning 42,000 items
// allocates nothing once warm. Not safe for concurrent use.
type pruner struct{ scratch [][]byte }

// prune appends to out the fields of msg that rule keeps.
func (p *pruner) prune(msg []byte, rule *protoPrune, out []byte) ([]byte, error) {
	return p.pruneAt(msg, rule, 0, out)
}

func (p *pruner) pruneAt(msg []byte, rule *protoPrune, depth int, out []byte) ([]byte, error) {
	if depth > 16 {
		return nil, fmt.Errorf("protobuf nested deeper than its rule")
	}
	for i := 0; i < len(msg); {
		start := i
		key, n := binary.Uvarint(msg[i:])
		if n <= 0 {
			return nil, fmt.Errorf("protobuf: a broken field key at byte %d", i)
		}
		i += n
		valStart, size := i, uint64(0)
		switch key & 7 {
		case 0: // varint
			if _, n = binary.Uvarint(msg[i:]); n <= 0 {
				return nil, fmt.Errorf("protobuf: a broken varint at byte %d", i)
			}
			size = uint64(n)
		case 1: // 64-bit
			size = 8
		case 5: // 32-bit
			size = 4
		case 2: // length-delimited
			l, n := binary.Uvarint(msg[i:])
			if n <= 0 {
				return nil, fmt.Errorf("protobuf: a broken length at byte %d", i)
			}
			i += n
			valStart, size = i, l
		default:
			return nil, fmt.Errorf("protobuf wire type %d at byte %d", key&7, start)
		}
		if size > uint64(len(msg)-i) {
			return nil, fmt.Errorf("protobuf: a field of %d bytes overruns its message at byte %d", size, start)
		}
		i += int(size)
		field := key >> 3
		sub, keep := rule.keeps(field)
		switch {
		case !keep:
		case sub == nil || key&7 != 2:
			out = append(out, msg[start:i]...)
		default:
			for len(p.scratch) <= depth {
				p.scratch = append(p.scratch, nil)
			}
			inner, err := p.pruneAt(msg[valStart:i], sub, depth+1, p.scratch[depth][:0])
			if err != nil {
				return nil, err
			}
			p.scratch[depth] = inner
			out = binary.AppendUvarint(out, key)
			out = binary.AppendUvarint(out, uint64(len(inner)))
			out = append(out, inner...)
		}
	}
	return out, nil
}

// keeps says whether field is kept, and by which rule (nil: whole).
func (r *protoPrune) keeps(field uint64) (*protoPrune, bool) {
	if r.only != nil {
		sub, ok := r.only[field]
		return sub, ok
	}
	return nil, !r.drop[field]
}
