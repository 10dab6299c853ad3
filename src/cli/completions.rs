//! `nmf-topics completions`: a shell's completion script, generated from the command line's
//! own definition, so it always knows every subcommand and option.

use anyhow::Result;
use clap::Args;
use clap_complete::Shell;

use super::output::{Destination, Outputs};

const EXAMPLES: &str = "\
Examples:
  nmf-topics completions bash > ~/.local/share/bash-completion/completions/nmf-topics
  nmf-topics completions zsh > ~/.zfunc/_nmf-topics      # with fpath+=~/.zfunc before compinit
  nmf-topics completions fish > ~/.config/fish/completions/nmf-topics.fish
  nmf-topics completions powershell >> $PROFILE";

/// Print the completion script of a shell (bash, zsh, fish, elvish, powershell)
#[derive(Args, Debug)]
#[command(after_help = EXAMPLES)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell
    #[arg(value_name = "SHELL")]
    shell: Shell,
}

pub fn run(args: CompletionsArgs, mut command: clap::Command) -> Result<()> {
    let name = command.get_name().to_owned();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, name.clone(), &mut script);
    if args.shell == Shell::Bash {
        script = bash_states_fixed(&script, &name);
    }
    let mut outputs = Outputs::new(Vec::new());
    let out = outputs.reserve("the script", &Destination::Stdout)?;
    outputs.write(out, |out| out.write_all(&script))?;
    outputs.commit()
}

/// clap_complete's bash script tracks the subcommand typed so far in a state named after the
/// command, spelling a hyphen of the command's name `__` where it walks the words but
/// `__subcmd__` in the states it matches, so no subcommand's options ever completed for
/// `nmf-topics` (clap issue 6421, open in clap_complete 4.6.12). The states are spelt here
/// the way the walk spells them. A test completes a subcommand's option through the script.
fn bash_states_fixed(script: &[u8], name: &str) -> Vec<u8> {
    let walked = name.replace('-', "__");
    let matched = name.replace('-', "__subcmd__");
    if walked == matched {
        return script.to_vec();
    }
    String::from_utf8_lossy(script)
        .replace(
            &format!("{matched}__subcmd__"),
            &format!("{walked}__subcmd__"),
        )
        .into_bytes()
}
