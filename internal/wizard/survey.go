package wizard

import (
	"errors"
	"io"
	"os"

	"github.com/AlecAivazis/survey/v2"
	"github.com/AlecAivazis/survey/v2/terminal"
)

// Survey is the Prompter on a real terminal. This is the only file that
// imports survey.
type Survey struct {
	In  *os.File
	Out *os.File
	Err io.Writer
}

func (s Survey) opts() []survey.AskOpt {
	return []survey.AskOpt{survey.WithStdio(s.In, s.Out, s.Err)}
}

func (s Survey) MultiSelect(msg, help string, options, defaults []string) ([]string, error) {
	var out []string
	err := survey.AskOne(&survey.MultiSelect{Message: msg, Help: help, Options: options, Default: defaults}, &out, s.opts()...)
	return out, mapErr(err)
}

func (s Survey) Select(msg, help string, options []string, def string) (string, error) {
	var out string
	err := survey.AskOne(&survey.Select{Message: msg, Help: help, Options: options, Default: def}, &out, s.opts()...)
	return out, mapErr(err)
}

func (s Survey) Input(msg, help, def string) (string, error) {
	var out string
	err := survey.AskOne(&survey.Input{Message: msg, Help: help, Default: def}, &out, s.opts()...)
	return out, mapErr(err)
}

func (s Survey) Confirm(msg, help string, def bool) (bool, error) {
	var out bool
	err := survey.AskOne(&survey.Confirm{Message: msg, Help: help, Default: def}, &out, s.opts()...)
	return out, mapErr(err)
}

func (s Survey) Say(text string) { io.WriteString(s.Out, text) }

func mapErr(err error) error {
	if errors.Is(err, terminal.InterruptErr) {
		return ErrInterrupted
	}
	return err
}
