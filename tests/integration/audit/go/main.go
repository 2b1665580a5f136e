// Command oracle checks a dump of Heard's audit log with Go's own transparency-log
// packages (golang.org/x/mod/sumdb/note and tlog), sharing no code with Heard.
//
// Usage: oracle DIR. DIR holds key (the verifier key), checkpoint/<size> (every signed
// checkpoint), tile/... (every tile and entry bundle, at its tlog-tiles path),
// proofs.json (proofs Heard served, to check), and witness (a witness's cosigner key)
// with cosigned (the log's checkpoint carrying that witness's cosignature), checked with
// github.com/transparency-dev/formats/note, the witness network's own implementation. It prints one line per tree checked and
// exits non-zero on the first failure.
package main

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type proof struct {
	Kind  string   `json:"kind"`
	Index int64    `json:"index"`
	Size  int64    `json:"size"`
	Old   int64    `json:"old"`
	Leaf  string   `json:"leaf"`
	Proof []string `json:"proof"`
}

// dirTiles serves tiles from DIR at their C2SP paths (tlog's own paths carry the height).
type dirTiles struct{ dir string }

func (d dirTiles) Height() int { return 8 }

func (d dirTiles) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(tiles))
	for i, t := range tiles {
		data, err := os.ReadFile(filepath.Join(d.dir, c2spPath(t)))
		if err != nil {
			return nil, err
		}
		out[i] = data
	}
	return out, nil
}

func (d dirTiles) SaveTiles([]tlog.Tile, [][]byte) {}

func c2spPath(t tlog.Tile) string {
	p := strings.Replace(t.Path(), "tile/8/", "tile/", 1)
	return strings.Replace(p, "tile/data/", "tile/entries/", 1)
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "oracle: "+format+"\n", args...)
	os.Exit(1)
}

func openCheckpoint(dir string, v note.Verifier, size int64) tlog.Tree {
	msg, err := os.ReadFile(filepath.Join(dir, "checkpoint", strconv.FormatInt(size, 10)))
	if err != nil {
		fail("%v", err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		fail("checkpoint %d: %v", size, err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 4 || lines[0] != v.Name() || lines[1] != strconv.FormatInt(size, 10) {
		fail("checkpoint %d: wrong origin or size: %q", size, n.Text)
	}
	root, err := tlog.ParseHash(lines[2])
	if err != nil {
		fail("checkpoint %d: %v", size, err)
	}
	return tlog.Tree{N: size, Hash: root}
}

func checkEntries(dir string, tree tlog.Tree, r tlog.HashReader) {
	for start := int64(0); start < tree.N; start += 256 {
		w := min(256, tree.N-start)
		t := tlog.Tile{H: 8, L: -1, N: start / 256, W: int(w)}
		data, err := os.ReadFile(filepath.Join(dir, c2spPath(t)))
		if err != nil {
			fail("size %d: %v", tree.N, err)
		}
		for i := int64(0); i < w; i++ {
			if len(data) < 2 {
				fail("size %d: bundle %d truncated", tree.N, t.N)
			}
			n := int(binary.BigEndian.Uint16(data))
			if len(data) < 2+n {
				fail("size %d: bundle %d truncated", tree.N, t.N)
			}
			entry := data[2 : 2+n]
			data = data[2+n:]
			want, err := r.ReadHashes([]int64{tlog.StoredHashIndex(0, start+i)})
			if err != nil || tlog.RecordHash(entry) != want[0] {
				fail("size %d: entry %d does not hash to its leaf (%v)", tree.N, start+i, err)
			}
		}
	}
}

func checkTree(dir string, tree tlog.Tree, rng *rand.Rand) {
	r := tlog.TileHashReader(tree, dirTiles{dir})
	root, err := tlog.TreeHash(tree.N, r)
	if err != nil || root != tree.Hash {
		fail("size %d: tiles do not hash to the checkpoint's root (%v)", tree.N, err)
	}
	checkEntries(dir, tree, r)
	for k := 0; k < 8; k++ {
		n := rng.Int63n(tree.N)
		p, err := tlog.ProveRecord(tree.N, n, r)
		if err != nil {
			fail("size %d: ProveRecord(%d): %v", tree.N, n, err)
		}
		leaf, _ := r.ReadHashes([]int64{tlog.StoredHashIndex(0, n)})
		if err := tlog.CheckRecord(p, tree.N, tree.Hash, n, leaf[0]); err != nil {
			fail("size %d: CheckRecord(%d): %v", tree.N, n, err)
		}
		old := 1 + rng.Int63n(tree.N)
		tp, err := tlog.ProveTree(tree.N, old, r)
		if err != nil {
			fail("size %d: ProveTree(%d): %v", tree.N, old, err)
		}
		oldRoot, err := tlog.TreeHash(old, r)
		if err != nil || tlog.CheckTree(tp, tree.N, tree.Hash, old, oldRoot) != nil {
			fail("size %d: CheckTree(%d) failed (%v)", tree.N, old, err)
		}
	}
}

func hashes(hexes []string) []tlog.Hash {
	out := make([]tlog.Hash, len(hexes))
	for i, h := range hexes {
		b, err := hex.DecodeString(h)
		if err != nil || len(b) != tlog.HashSize {
			fail("bad hash %q", h)
		}
		copy(out[i][:], b)
	}
	return out
}

func checkServedProofs(dir string, trees map[int64]tlog.Tree) int {
	// Old tree hashes come from our tiles through tlog, not from what the log claims.
	raw, err := os.ReadFile(filepath.Join(dir, "proofs.json"))
	if err != nil {
		fail("%v", err)
	}
	var proofs []proof
	if err := json.Unmarshal(raw, &proofs); err != nil {
		fail("%v", err)
	}
	for _, p := range proofs {
		t, ok := trees[p.Size]
		if !ok {
			fail("no checkpoint of size %d", p.Size)
		}
		switch p.Kind {
		case "inclusion":
			leaf := hashes([]string{p.Leaf})[0]
			if err := tlog.CheckRecord(hashes(p.Proof), t.N, t.Hash, p.Index, leaf); err != nil {
				fail("served inclusion proof %d in %d: %v", p.Index, p.Size, err)
			}
		case "consistency":
			oldRoot, err := tlog.TreeHash(p.Old, tlog.TileHashReader(t, dirTiles{dir}))
			if err != nil {
				fail("tree hash of %d: %v", p.Old, err)
			}
			if err := tlog.CheckTree(hashes(p.Proof), t.N, t.Hash, p.Old, oldRoot); err != nil {
				fail("served consistency proof %d to %d: %v", p.Old, p.Size, err)
			}
		default:
			fail("unknown proof kind %q", p.Kind)
		}
	}
	return len(proofs)
}

func checkCosigned(dir string, logV note.Verifier) {
	wkey, err := os.ReadFile(filepath.Join(dir, "witness"))
	if err != nil {
		fail("%v", err)
	}
	wv, err := fnote.NewVerifierForCosignatureV1(strings.TrimSpace(string(wkey)))
	if err != nil {
		fail("witness key: %v", err)
	}
	msg, err := os.ReadFile(filepath.Join(dir, "cosigned"))
	if err != nil {
		fail("%v", err)
	}
	n, err := note.Open(msg, note.VerifierList(logV, wv))
	if err != nil {
		fail("cosigned checkpoint: %v", err)
	}
	if len(n.Sigs) != 2 {
		fail("cosigned checkpoint: %d verified signatures, want the log's and the witness's", len(n.Sigs))
	}
	for _, s := range n.Sigs {
		if s.Name == wv.Name() {
			if t, err := fnote.CoSigV1Timestamp(s); err != nil || t.Unix() <= 0 {
				fail("cosignature timestamp: %v", err)
			}
		}
	}
}

func main() {
	if len(os.Args) != 2 {
		fail("usage: oracle DIR")
	}
	dir := os.Args[1]
	key, err := os.ReadFile(filepath.Join(dir, "key"))
	if err != nil {
		fail("%v", err)
	}
	v, err := note.NewVerifier(strings.TrimSpace(string(key)))
	if err != nil {
		fail("verifier key: %v", err)
	}
	names, err := os.ReadDir(filepath.Join(dir, "checkpoint"))
	if err != nil {
		fail("%v", err)
	}
	var sizes []int64
	for _, e := range names {
		s, _ := strconv.ParseInt(e.Name(), 10, 64)
		sizes = append(sizes, s)
	}
	sort.Slice(sizes, func(i, j int) bool { return sizes[i] < sizes[j] })
	rng := rand.New(rand.NewSource(1))
	trees := map[int64]tlog.Tree{}
	for _, size := range sizes {
		trees[size] = openCheckpoint(dir, v, size)
		checkTree(dir, trees[size], rng)
	}
	served := checkServedProofs(dir, trees)
	checkCosigned(dir, v)
	fmt.Printf("ok: %d checkpoints (sizes %d..%d), %d served proofs, cosignature\n",
		len(sizes), sizes[0], sizes[len(sizes)-1], served)
}
