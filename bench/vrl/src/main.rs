//! vrl-alb [--parse-only | --parseable] FILE: every line of FILE (gzip, multi-member too, or
//! plain) through the VRL program `. = parse_aws_alb_log!(.message, strict_mode: false)`, as
//! Vector's remap transform runs it, then (unless --parse-only) one serde_json document a line
//! on stdout, as `sluice parse --parser alb` prints. --parseable prints the raw lines that parse
//! instead (VRL refuses the 2016 and 2018 layouts), to build a file both sides parse whole.
//! Prints `{"records":N,"failed":M}` on stderr.
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};

use flate2::read::MultiGzDecoder;
use vrl::compiler::{state::RuntimeState, Context, TargetValue, TimeZone};
use vrl::value::{Secrets, Value};

const PROGRAM: &str = ". = parse_aws_alb_log!(.message, strict_mode: false)";

fn open(path: &str) -> Box<dyn Read> {
    let mut file = File::open(path).unwrap_or_else(|e| panic!("cannot open {path}: {e}"));
    let mut magic = [0u8; 2];
    let gzip = file.read_exact(&mut magic).is_ok() && magic == [0x1f, 0x8b];
    let file = File::open(path).expect("reopen");
    if gzip {
        Box::new(MultiGzDecoder::new(BufReader::with_capacity(64 * 1024, file)))
    } else {
        Box::new(file)
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parse_only = args.iter().any(|a| a == "--parse-only");
    let parseable = args.iter().any(|a| a == "--parseable");
    let path = args.iter().find(|a| !a.starts_with("--")).expect("usage: vrl-alb [--parse-only | --parseable] FILE");

    let functions = vrl::stdlib::all();
    let compiled = vrl::compiler::compile(PROGRAM, &functions).expect("the VRL program compiles");
    let program = compiled.program;
    let timezone = TimeZone::default();
    let mut state = RuntimeState::default();

    let reader = BufReader::with_capacity(256 * 1024, open(path));
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(256 * 1024, stdout.lock());
    let (mut records, mut failed) = (0u64, 0u64);
    for line in reader.split(b'\n') {
        let line = line.expect("read");
        if line.is_empty() {
            continue;
        }
        records += 1;
        let raw = if parseable { Some(line.clone()) } else { None };
        let mut message = BTreeMap::new();
        message.insert("message".into(), Value::Bytes(line.into()));
        let mut target = TargetValue {
            value: Value::Object(message),
            metadata: Value::Object(BTreeMap::new()),
            secrets: Secrets::default(),
        };
        let mut ctx = Context::new(&mut target, &mut state, &timezone);
        if program.resolve(&mut ctx).is_err() {
            failed += 1;
            continue;
        }
        if let Some(raw) = raw {
            out.write_all(&raw).expect("write");
            out.write_all(b"\n").expect("write");
        } else if !parse_only {
            serde_json::to_writer(&mut out, &target.value).expect("write");
            out.write_all(b"\n").expect("write");
        }
    }
    out.flush().expect("flush");
    eprintln!("{{\"records\":{records},\"failed\":{failed}}}");
}
