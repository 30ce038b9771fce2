fn main() {
    eprintln!("zkd: not yet wired");
    std::process::exit(1);
}
