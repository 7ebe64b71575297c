package shard

import "slices"

// FNV-1a, 64 bits: stable across processes and versions (hash/maphash is seeded).
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// member is a live replica with its identity already hashed, so weighing a
// repository for it only hashes the repository name.
type member struct {
	name   string
	prefix uint64 // FNV-1a state after name and a 0 byte
}

func newMember(name string) member {
	return member{name: name, prefix: fnvString(fnvOffset, name+"\x00")}
}

func fnvString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// mix is splitmix64's finalizer: it spreads FNV's weak low-entropy high bits,
// so weights of one repository under different members are independent.
func mix(h uint64) uint64 {
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

func (m member) weight(repo string) uint64 { return mix(fnvString(m.prefix, repo)) }

// rendezvous returns the member with the highest weight for repo (highest
// random weight hashing), "" when there are no members. Ties, which need a
// 64-bit collision, go to the lower name, so every replica agrees.
func rendezvous(members []member, repo string) string {
	best, bestW := "", uint64(0)
	for _, m := range members {
		w := m.weight(repo)
		if best == "" || w > bestW || (w == bestW && m.name < best) {
			best, bestW = m.name, w
		}
	}
	return best
}

// newMembers hashes identities, sorted and without duplicates.
func newMembers(names []string) []member {
	names = slices.Clone(names)
	slices.Sort(names)
	names = slices.Compact(names)
	out := make([]member, len(names))
	for i, n := range names {
		out[i] = newMember(n)
	}
	return out
}

// Assign returns, for each member, the repositories it owns among repos,
// by the same rule as [Shard.Owner]. Members that own nothing are present
// with an empty list. It is pure: for plans, tests and benchmarks.
func Assign(members, repos []string) map[string][]string {
	ms := newMembers(members)
	out := make(map[string][]string, len(ms))
	for _, m := range ms {
		out[m.name] = []string{}
	}
	for _, r := range repos {
		if o := rendezvous(ms, r); o != "" {
			out[o] = append(out[o], r)
		}
	}
	return out
}
