package registry

import "hash/maphash"

// tagSet is the set of tags a collector kept, held as indexes into its
// list: an open-addressing hash table of int32 (index+1; 0 is a free
// slot), at most half full. Per tag it takes 8 to 16 bytes where a
// map[string]bool takes about 100, and it is looked up with the bytes of a
// name without making a string of them.
type tagSet struct {
	seed  maphash.Seed
	slots []int32
}

// find returns the index in tags of t, or -1 and the free slot for it.
func (s *tagSet) find(tags []string, t []byte) (at, slot int) {
	if s.slots == nil {
		s.seed, s.slots = maphash.MakeSeed(), make([]int32, 64)
	}
	mask := len(s.slots) - 1
	for i := int(maphash.Bytes(s.seed, t)) & mask; ; i = (i + 1) & mask {
		switch j := s.slots[i]; {
		case j == 0:
			return -1, i
		case tags[j-1] == string(t):
			return int(j - 1), i
		}
	}
}

// put records the last of tags in slot, which find returned for it.
func (s *tagSet) put(tags []string, slot int) {
	s.slots[slot] = int32(len(tags))
	if 2*len(tags) > len(s.slots) {
		s.grow(tags)
	}
}

// grow doubles the table and puts tags in it again.
func (s *tagSet) grow(tags []string) {
	s.slots = make([]int32, 2*len(s.slots))
	mask := len(s.slots) - 1
	for n, t := range tags {
		i := int(maphash.String(s.seed, t)) & mask
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = int32(n + 1)
	}
}
