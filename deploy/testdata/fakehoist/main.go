// Command fakehoist stands in for cmd/hoist when developing deploy/image.sh.
package main

import (
	"fmt"
	"os"
)

func main() { fmt.Println("fakehoist", os.Args[1:]) }
