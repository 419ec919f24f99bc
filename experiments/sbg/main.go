// Command sbg trains a TarFlow on peptide MD data and runs the Sequential
// Boltzmann Generator (importance sampling and annealed-Langevin SMC) with
// it, printing a markdown table of ESS, E-W2 and T-W2 per method.
//
//	go run ./experiments/sbg train -system aldp -data train.npy -out sbg-out/aldp
//	go run ./experiments/sbg train -system aldp -data train.npy -init sbg-out/aldp/best.ckpt -epochs 40 -out sbg-out/aldp-more
//	go run ./experiments/sbg finetune -system aldp -model sbg-out/aldp/best.ckpt -data train.npy -data-weight 100 -out sbg-out/aldp-kl
//	go run ./experiments/sbg sample -system aldp -model sbg-out/aldp/best.ckpt -n 1000 -out props.npy
//	go run ./experiments/sbg eval -system aldp -model sbg-out/aldp/best.ckpt -ref test.npy -out sbg-out/aldp/eval
//	go run ./experiments/sbg floor -system aldp -ref test.npy -pool train.npy -n 2000
//
// Data are .npy trajectories [frames, atoms, 3] in nm (float32 or float64)
// in the atom order of the system's topology, e.g. from experiments/md.
package main

import (
	"flag"
	"fmt"
	"os"
)

func usage() {
	fmt.Fprintf(os.Stderr, `usage: sbg train|finetune|sample|eval|floor [flags]

  train   fit a TarFlow to MD frames (resumable; progress on stderr)
  finetune  train a model further by reverse KL to the Boltzmann density (path
          gradient through the sequential inverse, uses the forces), with an
          optional data term (resumable)
  sample  draw proposals from a trained TarFlow and write them as .npy (nm)
  eval    run flow-IS and flow-SMC against a reference MD set; write a table,
          results.json, Ramachandran and energy-histogram PNGs
  floor   T-W2 and E-W2 of an ideal sampler with only n_eff independent MD
          frames: the floor IS and SMC cannot beat with that many
          effective samples

Run "sbg <command> -h" for the flags of a command.
`)
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "train":
		err = train(os.Args[2:])
	case "finetune":
		err = finetune(os.Args[2:])
	case "sample":
		err = sample(os.Args[2:])
	case "eval":
		err = eval(os.Args[2:])
	case "floor":
		err = floor(os.Args[2:])
	case "-h", "-help", "--help", "help":
		usage()
		return
	default:
		usage()
		os.Exit(2)
	}
	if err != nil {
		if err == flag.ErrHelp {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "sbg:", err)
		os.Exit(1)
	}
}
