// Reads a YAML stream on stdin the way kubectl does (sigs.k8s.io/yaml: gopkg.in/yaml.v2, a
// YAML 1.1 reader, into interface{}, then JSON with stringified keys) and prints one JSON line
// per document. Exit 1 with the parser's message when a document does not parse.
//
// Built by tests/yaml_readers.rs with Debian's golang-go and golang-gopkg-yaml.v2-dev in GOPATH
// mode (GO111MODULE=off, GOPATH=/usr/share/gocode); no module download is needed.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"

	yaml "gopkg.in/yaml.v2"
)

// toJSON mirrors sigs.k8s.io/yaml's convertToJSONableObject: map keys become strings as
// json.Marshal would print them; every other value is kept as go-yaml typed it.
func toJSON(v interface{}) (interface{}, error) {
	switch t := v.(type) {
	case map[interface{}]interface{}:
		out := make(map[string]interface{}, len(t))
		for k, val := range t {
			var key string
			switch kk := k.(type) {
			case string:
				key = kk
			case int, int64, uint64, float64, bool:
				key = fmt.Sprint(kk)
			case nil:
				key = "null"
			default:
				return nil, fmt.Errorf("unsupported map key %#v", k)
			}
			c, err := toJSON(val)
			if err != nil {
				return nil, err
			}
			out[key] = c
		}
		return out, nil
	case []interface{}:
		out := make([]interface{}, len(t))
		for i, val := range t {
			c, err := toJSON(val)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	default:
		return v, nil
	}
}

func main() {
	dec := yaml.NewDecoder(bufio.NewReader(os.Stdin))
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for {
		var doc interface{}
		err := dec.Decode(&doc)
		if err == io.EOF {
			return
		}
		if err != nil {
			out.Flush()
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		j, err := toJSON(doc)
		if err != nil {
			out.Flush()
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		line, err := json.Marshal(j)
		if err != nil {
			out.Flush()
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		out.Write(line)
		out.WriteByte('\n')
	}
}
