package main

import "errors"

func sample(args []string) error { return errors.New("sample: not implemented yet") }
func eval(args []string) error   { return errors.New("eval: not implemented yet") }
