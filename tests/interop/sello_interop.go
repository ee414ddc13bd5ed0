// sello_interop checks Sello's transparency artefacts with an implementation nobody on
// the project wrote: Go's golang.org/x/mod/sumdb/note (signed notes) and sumdb/tlog
// (RFC 6962 proofs), from Debian's golang-golang-x-mod-dev. x/mod knows only Ed25519
// note signatures (type 0x01), so the witness's cosignature (C2SP tlog-cosignature,
// type 0x04) is checked by a note.Verifier written here from that specification with
// crypto/ed25519, and handed to note.Open beside the log's own verifier.
//
//	sello_interop verify DIR     checks the files in DIR (see verifyDir); exit 0 when all
//	                             hold, 1 with the reason otherwise
//	sello_interop tiles URL DIR  checks a live sellod's C2SP tlog-tiles at URL against the
//	                             files in DIR (see verifyTiles), with tlog.TileHashReader
//	sello_interop cosign SEED_HEX NAME TIMESTAMP CHECKPOINT_FILE
//	                             prints the cosigner's vkey and its cosignature line (the
//	                             known answers of tests/unit/domain/cosignature_test.cc)
//
// Built offline in GOPATH mode against /usr/share/gocode (tests/interop/CMakeLists.txt).
package main

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// The signature type of tlog-cosignature/v1 (Ed25519) in vkeys and key IDs.
const algCosignatureV1 = 0x04

// cosignatureVerifier is a note.Verifier for one witness's cosignature/v1 key.
type cosignatureVerifier struct {
	name string
	hash uint32
	key  ed25519.PublicKey
}

func (v *cosignatureVerifier) Name() string    { return v.name }
func (v *cosignatureVerifier) KeyHash() uint32 { return v.hash }

// Verify checks sig = timestamp (8 bytes, big-endian) || Ed25519 signature over
// "cosignature/v1\ntime <timestamp>\n" || note text (tlog-cosignature).
func (v *cosignatureVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	t := binary.BigEndian.Uint64(sig)
	if t > math.MaxInt64 {
		return false
	}
	return ed25519.Verify(v.key, cosignedMessage(t, msg), sig[8:])
}

func cosignedMessage(t uint64, text []byte) []byte {
	return []byte(fmt.Sprintf("cosignature/v1\ntime %d\n%s", t, text))
}

func keyHash(name string, alg byte, key []byte) uint32 {
	h := sha256.New()
	h.Write([]byte(name + "\n"))
	h.Write([]byte{alg})
	h.Write(key)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// newCosignatureVerifier parses "<name>+<hex key id>+<base64(0x04 || key)>".
func newCosignatureVerifier(vkey string) (*cosignatureVerifier, error) {
	parts := strings.SplitN(vkey, "+", 3)
	if len(parts) != 3 || len(parts[1]) != 8 {
		return nil, errors.New("malformed witness vkey")
	}
	id, err := strconv.ParseUint(parts[1], 16, 32)
	if err != nil {
		return nil, errors.New("malformed witness key id")
	}
	key, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(key) != 1+ed25519.PublicKeySize || key[0] != algCosignatureV1 {
		return nil, errors.New("witness vkey is not an Ed25519 cosignature/v1 key")
	}
	v := &cosignatureVerifier{name: parts[0], key: ed25519.PublicKey(key[1:])}
	v.hash = keyHash(v.name, algCosignatureV1, v.key)
	if uint32(id) != v.hash {
		return nil, fmt.Errorf("witness key id %s does not match its name and key (%08x)", parts[1], v.hash)
	}
	return v, nil
}

// checkpoint is a parsed tlog-checkpoint body.
type checkpoint struct {
	origin string
	size   int64
	root   tlog.Hash
}

func parseCheckpoint(text string) (checkpoint, error) {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return checkpoint{}, errors.New("checkpoint has fewer than three lines")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 {
		return checkpoint{}, fmt.Errorf("checkpoint size %q", lines[1])
	}
	root, err := tlog.ParseHash(lines[2])
	if err != nil {
		return checkpoint{}, fmt.Errorf("checkpoint root %q: %v", lines[2], err)
	}
	return checkpoint{lines[0], size, root}, nil
}

func readFile(dir, name string) string {
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		fail("%v", err)
	}
	return string(data)
}

func readHashes(text string) []tlog.Hash {
	var hashes []tlog.Hash
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if line == "" {
			continue
		}
		h, err := tlog.ParseHash(line)
		if err != nil {
			fail("hash %q: %v", line, err)
		}
		hashes = append(hashes, h)
	}
	return hashes
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "sello_interop: "+format+"\n", args...)
	os.Exit(1)
}

// openNote verifies a note with the log's key and, when given, the witness's; both must
// have signed it.
func openNote(text string, logVerifier note.Verifier, witness *cosignatureVerifier) (*note.Note, checkpoint) {
	verifiers := []note.Verifier{logVerifier}
	if witness != nil {
		verifiers = append(verifiers, witness)
	}
	n, err := note.Open([]byte(text), note.VerifierList(verifiers...))
	if err != nil {
		fail("note.Open: %v\n%s", err, text)
	}
	signedBy := map[string]bool{}
	for _, sig := range n.Sigs {
		signedBy[fmt.Sprintf("%s+%08x", sig.Name, sig.Hash)] = true
	}
	if !signedBy[fmt.Sprintf("%s+%08x", logVerifier.Name(), logVerifier.KeyHash())] {
		fail("the log did not sign the note")
	}
	if witness != nil && !signedBy[fmt.Sprintf("%s+%08x", witness.Name(), witness.KeyHash())] {
		fail("the witness did not cosign the note")
	}
	c, err := parseCheckpoint(n.Text)
	if err != nil {
		fail("%v", err)
	}
	if c.origin != logVerifier.Name() {
		fail("checkpoint origin %q is not the log key's name %q", c.origin, logVerifier.Name())
	}
	return n, c
}

// verifyDir checks, in DIR:
//
//	log.vkey           the log's verifier key (type 0x01, what sellod writes to log.pub)
//	witness.vkey       the witness's cosignature verifier key (type 0x04)
//	checkpoint.note    a checkpoint signed by the log and cosigned by the witness
//	old.note           an older checkpoint signed by the log
//	consistency.txt    the RFC 6962 consistency proof from old.note to checkpoint.note
//	inclusion.txt      blocks "leaf <base64 leaf data>\nindex <i>\n<hash>...\n\n": each
//	                   leaf's inclusion proof in checkpoint.note's tree
func verifyDir(dir string) {
	logVerifier, err := note.NewVerifier(strings.TrimSpace(readFile(dir, "log.vkey")))
	if err != nil {
		fail("log.vkey: %v", err)
	}
	witness, err := newCosignatureVerifier(strings.TrimSpace(readFile(dir, "witness.vkey")))
	if err != nil {
		fail("witness.vkey: %v", err)
	}
	_, latest := openNote(readFile(dir, "checkpoint.note"), logVerifier, witness)
	_, old := openNote(readFile(dir, "old.note"), logVerifier, nil)
	if err := tlog.CheckTree(readHashes(readFile(dir, "consistency.txt")), latest.size, latest.root,
		old.size, old.root); err != nil {
		fail("consistency %d -> %d: %v", old.size, latest.size, err)
	}
	proven := 0
	scanner := bufio.NewScanner(strings.NewReader(readFile(dir, "inclusion.txt")))
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	var leaf []byte
	index := int64(-1)
	var path []tlog.Hash
	check := func() {
		if index < 0 {
			return
		}
		if err := tlog.CheckRecord(path, latest.size, latest.root, index, tlog.RecordHash(leaf)); err != nil {
			fail("inclusion of leaf %d in tree %d: %v", index, latest.size, err)
		}
		proven++
		leaf, index, path = nil, -1, nil
	}
	for scanner.Scan() {
		line := scanner.Text()
		switch {
		case line == "":
			check()
		case strings.HasPrefix(line, "leaf "):
			leaf, err = base64.StdEncoding.DecodeString(strings.TrimPrefix(line, "leaf "))
			if err != nil {
				fail("leaf data: %v", err)
			}
		case strings.HasPrefix(line, "index "):
			index, err = strconv.ParseInt(strings.TrimPrefix(line, "index "), 10, 64)
			if err != nil {
				fail("index: %v", err)
			}
		default:
			path = append(path, readHashes(line)...)
		}
	}
	check()
	if proven == 0 {
		fail("inclusion.txt: no proofs")
	}
	fmt.Printf("OK: %s size %d signed by %s and cosigned by %s; consistent with size %d; %d inclusion proofs hold\n",
		latest.origin, latest.size, logVerifier.Name(), witness.Name(), old.size, proven)
}

// fetch GETs url (with a bearer token when given) and returns the body of a 200 answer.
func fetch(url, token string) ([]byte, error) {
	request, err := http.NewRequest("GET", url, nil)
	if err != nil {
		return nil, err
	}
	if token != "" {
		request.Header.Set("Authorization", "Bearer "+token)
	}
	response, err := http.DefaultClient.Do(request)
	if err != nil {
		return nil, err
	}
	defer response.Body.Close()
	body, err := io.ReadAll(io.LimitReader(response.Body, 16<<20))
	if err != nil {
		return nil, err
	}
	if response.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %d: %s", url, response.StatusCode, strings.TrimSpace(string(body)))
	}
	return body, nil
}

// tileReader is a tlog.TileReader over a C2SP tlog-tiles prefix. Go's sumdb tile paths
// carry a height ("tile/8/L/N"), which C2SP dropped ("tile/L/N"): the height is always 8.
type tileReader struct {
	prefix  string
	fetched int
	cache   map[string][]byte // by path: each tile is fetched once
}

func (r *tileReader) Height() int { return 8 }

func (r *tileReader) ReadTiles(tiles []tlog.Tile) ([][]byte, error) {
	data := make([][]byte, len(tiles))
	for i, t := range tiles {
		if t.H != 8 || t.L < 0 {
			return nil, fmt.Errorf("unexpected tile %+v", t)
		}
		path := "tile/" + strings.TrimPrefix(t.Path(), "tile/8/")
		if body, ok := r.cache[path]; ok {
			data[i] = body
			continue
		}
		body, err := fetch(r.prefix+"/"+path, "")
		if err != nil {
			return nil, err
		}
		r.cache[path] = body
		data[i] = body
		r.fetched++
	}
	return data, nil
}

func (r *tileReader) SaveTiles(tiles []tlog.Tile, data [][]byte) {}

// entryBundle splits a tlog-tiles entry bundle (big-endian uint16 length-prefixed entries).
func entryBundle(data []byte) ([][]byte, error) {
	var entries [][]byte
	for len(data) > 0 {
		if len(data) < 2 {
			return nil, errors.New("entry bundle: truncated length")
		}
		n := int(binary.BigEndian.Uint16(data))
		if len(data) < 2+n {
			return nil, errors.New("entry bundle: truncated entry")
		}
		entries = append(entries, data[2:2+n])
		data = data[2+n:]
	}
	return entries, nil
}

// verifyTiles checks the tiles served at URL, with in DIR:
//
//	log.vkey           the log's verifier key
//	witnesses.vkey     cosignature verifier keys, one per line
//	quorum             how many of them must have cosigned URL/checkpoint
//	old.note           an older checkpoint signed by the log
//	token              a bearer token that may read the entry bundles (ADMIN, REGULATOR)
//
// URL/checkpoint must verify with the log's key and carry the quorum's cosignatures; every
// entry (from the entry bundles) is proven included in it, and the tree proven consistent
// with old.note, from hash tiles only (tlog.TileHashReader checks each tile it reads
// against the checkpoint's root).
func verifyTiles(url, dir string) {
	logVerifier, err := note.NewVerifier(strings.TrimSpace(readFile(dir, "log.vkey")))
	if err != nil {
		fail("log.vkey: %v", err)
	}
	verifiers := []note.Verifier{logVerifier}
	for _, line := range strings.Split(strings.TrimSpace(readFile(dir, "witnesses.vkey")), "\n") {
		w, err := newCosignatureVerifier(strings.TrimSpace(line))
		if err != nil {
			fail("witnesses.vkey: %v", err)
		}
		verifiers = append(verifiers, w)
	}
	quorum, err := strconv.Atoi(strings.TrimSpace(readFile(dir, "quorum")))
	if err != nil {
		fail("quorum: %v", err)
	}
	body, err := fetch(url+"/checkpoint", "")
	if err != nil {
		fail("%v", err)
	}
	n, err := note.Open(body, note.VerifierList(verifiers...))
	if err != nil {
		fail("note.Open(/checkpoint): %v\n%s", err, body)
	}
	cosigned := 0
	logSigned := false
	for _, sig := range n.Sigs {
		if sig.Name == logVerifier.Name() && sig.Hash == logVerifier.KeyHash() {
			logSigned = true
		} else {
			cosigned++
		}
	}
	if !logSigned {
		fail("the log did not sign /checkpoint")
	}
	if cosigned < quorum {
		fail("/checkpoint carries %d witness cosignatures, the quorum is %d", cosigned, quorum)
	}
	latest, err := parseCheckpoint(n.Text)
	if err != nil {
		fail("%v", err)
	}
	_, old := openNote(readFile(dir, "old.note"), logVerifier, nil)
	reader := &tileReader{prefix: url, cache: map[string][]byte{}}
	hashes := tlog.TileHashReader(tlog.Tree{N: latest.size, Hash: latest.root}, reader)

	// Consistency with the older checkpoint, from tiles.
	treeProof, err := tlog.ProveTree(latest.size, old.size, hashes)
	if err != nil {
		fail("tlog.ProveTree(%d, %d) from tiles: %v", latest.size, old.size, err)
	}
	if err := tlog.CheckTree(treeProof, latest.size, latest.root, old.size, old.root); err != nil {
		fail("consistency %d -> %d from tiles: %v", old.size, latest.size, err)
	}
	// Every entry, from the entry bundles, proven included from tiles.
	token := strings.TrimSpace(readFile(dir, "token"))
	var index int64
	for bundle := int64(0); index < latest.size; bundle++ {
		width := latest.size - bundle*256
		t := tlog.Tile{H: 8, L: 0, N: bundle, W: 256}
		if width < 256 {
			t.W = int(width)
		}
		path := "tile/entries/" + strings.TrimPrefix(t.Path(), "tile/8/0/")
		data, err := fetch(url+"/"+path, token)
		if err != nil {
			fail("%v", err)
		}
		entries, err := entryBundle(data)
		if err != nil {
			fail("%s: %v", path, err)
		}
		if len(entries) != t.W {
			fail("%s: %d entries, want %d", path, len(entries), t.W)
		}
		for _, entry := range entries {
			proof, err := tlog.ProveRecord(latest.size, index, hashes)
			if err != nil {
				fail("tlog.ProveRecord(%d, %d) from tiles: %v", latest.size, index, err)
			}
			if err := tlog.CheckRecord(proof, latest.size, latest.root, index, tlog.RecordHash(entry)); err != nil {
				fail("inclusion of entry %d from tiles: %v", index, err)
			}
			index++
		}
	}
	fmt.Printf("OK: tiles of %s size %d cosigned by %d witnesses; %d entries proven included and consistency with size %d from %d tiles\n",
		latest.origin, latest.size, cosigned, index, old.size, reader.fetched)
}

// cosign prints a cosignature made here, from the specification, for known-answer tests.
func cosign(seedHex, name, timestamp, file string) {
	seed, err := hex.DecodeString(seedHex)
	if err != nil || len(seed) != ed25519.SeedSize {
		fail("seed: want %d bytes of hex", ed25519.SeedSize)
	}
	t, err := strconv.ParseUint(timestamp, 10, 63)
	if err != nil {
		fail("timestamp: %v", err)
	}
	text, err := os.ReadFile(file)
	if err != nil {
		fail("%v", err)
	}
	key := ed25519.NewKeyFromSeed(seed)
	public := key.Public().(ed25519.PublicKey)
	id := keyHash(name, algCosignatureV1, public)
	fmt.Printf("%s+%08x+%s\n", name, id, base64.StdEncoding.EncodeToString(append([]byte{algCosignatureV1}, public...)))
	var sig bytes.Buffer
	binary.Write(&sig, binary.BigEndian, id)
	binary.Write(&sig, binary.BigEndian, t)
	sig.Write(ed25519.Sign(key, cosignedMessage(t, text)))
	fmt.Printf("— %s %s\n", name, base64.StdEncoding.EncodeToString(sig.Bytes()))
}

func main() {
	switch {
	case len(os.Args) == 3 && os.Args[1] == "verify":
		verifyDir(os.Args[2])
	case len(os.Args) == 4 && os.Args[1] == "tiles":
		verifyTiles(strings.TrimSuffix(os.Args[2], "/"), os.Args[3])
	case len(os.Args) == 6 && os.Args[1] == "cosign":
		cosign(os.Args[2], os.Args[3], os.Args[4], os.Args[5])
	default:
		fail("usage: sello_interop verify DIR | tiles URL DIR | cosign SEED_HEX NAME TIMESTAMP CHECKPOINT_FILE")
	}
}
