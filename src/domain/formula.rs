//! A method's formula over interim inputs (`(reading - blank) * volume / mass`), in exact decimals.
use rust_decimal::Decimal;
use std::collections::HashMap;

/// Longest formula accepted, in characters (keeps parsing and evaluation depth bounded).
const MAX_CHARS: usize = 1000;
/// Deepest nesting of parentheses and unary minus.
const MAX_DEPTH: usize = 64;
/// Cannot happen for a parsed formula; kept as an error rather than a panic.
const MALFORMED: &str = "the formula is malformed";

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// One step of the formula in postfix order: evaluation needs a stack, no recursion.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    Num(Decimal),
    Var(String),
    Neg,
    Bin(Op),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Num(Decimal),
    Name(String),
    Op(Op),
    Open,
    Close,
}

/// A token with its 1-based character position and its text as written.
#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    at: usize,
    text: String,
}

/// A parsed formula: decimal literals, variable names, `+ - * /` (also `× ÷ −`), parentheses and
/// unary minus, with the usual precedence, left-associative.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Formula {
    steps: Vec<Step>,
    variables: Vec<String>,
}

fn tokenize(expression: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = expression.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let at = i + 1;
        let single = match c {
            '+' => Some(Tok::Op(Op::Add)),
            '-' | '−' => Some(Tok::Op(Op::Sub)),
            '*' | '×' => Some(Tok::Op(Op::Mul)),
            '/' | '÷' => Some(Tok::Op(Op::Div)),
            '(' => Some(Tok::Open),
            ')' => Some(Tok::Close),
            _ => None,
        };
        if let Some(tok) = single {
            out.push(Token {
                tok,
                at,
                text: c.to_string(),
            });
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() || c == '.' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || chars[i] == '.' || chars[i] == '_')
            {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            let (int, frac) = text.split_once('.').unwrap_or((text.as_str(), "1"));
            let well_formed = !int.is_empty()
                && !frac.is_empty()
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit());
            if !well_formed {
                return Err(format!("'{text}' at {at} is not a number"));
            }
            let v = Decimal::from_str_exact(&text)
                .map_err(|_| format!("'{text}' at {at} has too many digits"))?;
            out.push(Token {
                tok: Tok::Num(v),
                at,
                text,
            });
        } else if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            out.push(Token {
                tok: Tok::Name(text.clone()),
                at,
                text,
            });
        } else {
            return Err(format!("unexpected '{c}' at {at}"));
        }
    }
    Ok(out)
}

struct Parser<'a> {
    tokens: Vec<Token>,
    pos: usize,
    known: &'a [&'a str],
    variables: Vec<String>,
    steps: Vec<Step>,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|t| &t.tok)
    }

    fn unexpected(&self) -> String {
        match self.tokens.get(self.pos) {
            Some(t) => format!("unexpected '{}' at {}", t.text, t.at),
            None => "the formula ends too early".to_string(),
        }
    }

    fn expr(&mut self) -> Result<(), String> {
        self.term()?;
        while let Some(Tok::Op(op @ (Op::Add | Op::Sub))) = self.peek() {
            let op = *op;
            self.pos += 1;
            self.term()?;
            self.steps.push(Step::Bin(op));
        }
        Ok(())
    }

    fn term(&mut self) -> Result<(), String> {
        self.unary()?;
        while let Some(Tok::Op(op @ (Op::Mul | Op::Div))) = self.peek() {
            let op = *op;
            self.pos += 1;
            self.unary()?;
            self.steps.push(Step::Bin(op));
        }
        Ok(())
    }

    fn deeper(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err("the formula is nested too deeply".into());
        }
        Ok(())
    }

    fn unary(&mut self) -> Result<(), String> {
        if let Some(Tok::Op(Op::Sub)) = self.peek() {
            self.pos += 1;
            self.deeper()?;
            self.unary()?;
            self.depth -= 1;
            self.steps.push(Step::Neg);
            return Ok(());
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<(), String> {
        let Some(token) = self.tokens.get(self.pos).cloned() else {
            return Err(self.unexpected());
        };
        match token.tok {
            Tok::Num(v) => {
                self.pos += 1;
                self.steps.push(Step::Num(v));
                Ok(())
            }
            Tok::Name(name) => {
                if !self.known.contains(&name.as_str()) {
                    return Err(format!("unknown name '{name}' at {}", token.at));
                }
                if !self.variables.contains(&name) {
                    self.variables.push(name.clone());
                }
                self.pos += 1;
                self.steps.push(Step::Var(name));
                Ok(())
            }
            Tok::Open => {
                self.pos += 1;
                self.deeper()?;
                self.expr()?;
                self.depth -= 1;
                if self.peek() != Some(&Tok::Close) {
                    return Err(match self.tokens.get(self.pos) {
                        Some(_) => self.unexpected(),
                        None => format!("the '(' at {} is not closed", token.at),
                    });
                }
                self.pos += 1;
                Ok(())
            }
            Tok::Op(_) | Tok::Close => Err(self.unexpected()),
        }
    }
}

impl Formula {
    /// Parses `expression`; every variable must be one of `known`. Errors give 1-based character
    /// positions: "unexpected ')' at 12", "unknown name 'foo' at 5", "the '(' at 3 is not closed".
    pub fn parse(expression: &str, known: &[&str]) -> Result<Formula, String> {
        if expression.chars().count() > MAX_CHARS {
            return Err(format!("the formula is longer than {MAX_CHARS} characters"));
        }
        let tokens = tokenize(expression)?;
        if tokens.is_empty() {
            return Err("the formula is empty".into());
        }
        let mut p = Parser {
            tokens,
            pos: 0,
            known,
            variables: Vec::new(),
            steps: Vec::new(),
            depth: 0,
        };
        p.expr()?;
        if p.pos < p.tokens.len() {
            return Err(p.unexpected());
        }
        Ok(Formula {
            steps: p.steps,
            variables: p.variables,
        })
    }

    /// The variables, distinct, in order of first use.
    pub fn variables(&self) -> Vec<String> {
        self.variables.clone()
    }

    /// Evaluates with checked decimal arithmetic: "division by zero", "the result is too large",
    /// "no value for 'x'". A quotient that does not terminate keeps 28 significant digits at most.
    pub fn eval(&self, vars: &HashMap<String, Decimal>) -> Result<Decimal, String> {
        let mut stack: Vec<Decimal> = Vec::with_capacity(self.steps.len());
        for step in &self.steps {
            let v = match step {
                Step::Num(v) => *v,
                Step::Var(name) => vars
                    .get(name)
                    .copied()
                    .ok_or_else(|| format!("no value for '{name}'"))?,
                Step::Neg => -stack.pop().ok_or(MALFORMED)?,
                Step::Bin(op) => {
                    let b = stack.pop().ok_or(MALFORMED)?;
                    let a = stack.pop().ok_or(MALFORMED)?;
                    let v = match op {
                        Op::Add => a.checked_add(b),
                        Op::Sub => a.checked_sub(b),
                        Op::Mul => a.checked_mul(b),
                        Op::Div if b.is_zero() => return Err("division by zero".into()),
                        Op::Div => a.checked_div(b),
                    };
                    v.ok_or("the result is too large")?
                }
            };
            stack.push(v);
        }
        match (stack.pop(), stack.is_empty()) {
            (Some(v), true) => Ok(v),
            _ => Err(MALFORMED.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, Decimal> {
        pairs.iter().map(|(k, v)| (k.to_string(), d(v))).collect()
    }

    fn calc(expression: &str) -> Result<Decimal, String> {
        Formula::parse(expression, &[])?.eval(&HashMap::new())
    }

    const SOIL: &str = "(reading - blank) * volume * dilution / (mass * dry_matter)";
    const SOIL_VARS: [&str; 6] = [
        "reading",
        "blank",
        "volume",
        "dilution",
        "mass",
        "dry_matter",
    ];

    #[test]
    fn soil_digest_formula() {
        let f = Formula::parse(SOIL, &SOIL_VARS).unwrap();
        assert_eq!(f.variables(), SOIL_VARS.map(String::from).to_vec());
        // (0.125 − 0.005) mg/L × 50 mL × 1 / (0.2000 g × 0.8) = 37.5 mg/kg
        let v = vars(&[
            ("reading", "0.125"),
            ("blank", "0.005"),
            ("volume", "50"),
            ("dilution", "1"),
            ("mass", "0.2000"),
            ("dry_matter", "0.8"),
        ]);
        assert_eq!(f.eval(&v).unwrap(), d("37.5"));
        assert_eq!(f.eval(&v).unwrap().normalize().to_string(), "37.5");
    }

    #[test]
    fn unit_factors() {
        let f = Formula::parse(
            "reading * volume / mass / 1000",
            &["reading", "volume", "mass"],
        )
        .unwrap();
        let v = vars(&[("reading", "12.5"), ("volume", "25.00"), ("mass", "0.5")]);
        assert_eq!(f.eval(&v).unwrap(), d("0.625"));
        assert_eq!(calc("1 / 3").unwrap(), d("0.3333333333333333333333333333"));
        assert_eq!(calc("0.1 + 0.2").unwrap(), d("0.3")); // exact, no float error
    }

    #[test]
    fn precedence_and_associativity() {
        assert_eq!(calc("2 + 3 * 4").unwrap(), d("14"));
        assert_eq!(calc("(2 + 3) * 4").unwrap(), d("20"));
        assert_eq!(calc("10 - 4 - 3").unwrap(), d("3"));
        assert_eq!(calc("100 / 10 / 5").unwrap(), d("2"));
        assert_eq!(calc("2 * 3 / 4 * 2").unwrap(), d("3"));
        assert_eq!(calc("8 − 2 × 3 ÷ 2").unwrap(), d("5"));
        assert_eq!(calc("((1))").unwrap(), d("1"));
    }

    #[test]
    fn unary_minus() {
        assert_eq!(calc("-2 * 3").unwrap(), d("-6"));
        assert_eq!(calc("2 * -3").unwrap(), d("-6"));
        assert_eq!(calc("2 - -3").unwrap(), d("5"));
        assert_eq!(calc("--4").unwrap(), d("4"));
        assert_eq!(calc("-(1 + 2) + 5").unwrap(), d("2"));
        assert_eq!(calc("−1").unwrap(), d("-1"));
    }

    #[test]
    fn variables_are_distinct_in_order_of_first_use() {
        let f = Formula::parse("b * a + b - c / a", &["a", "b", "c", "unused"]).unwrap();
        assert_eq!(f.variables(), vec!["b", "a", "c"]);
        assert!(Formula::parse("1000", &[]).unwrap().variables().is_empty());
        assert!(Formula::parse("_x1 + X_2", &["_x1", "X_2"]).is_ok());
    }

    #[test]
    fn parse_errors_say_where() {
        let known = ["a", "b"];
        let err = |e: &str| Formula::parse(e, &known).unwrap_err();
        assert_eq!(err("(a + b) * 2 )"), "unexpected ')' at 13");
        assert_eq!(err("a + foo"), "unknown name 'foo' at 5");
        assert_eq!(err("a +"), "the formula ends too early");
        assert_eq!(err("(a + b"), "the '(' at 1 is not closed");
        assert_eq!(err("a b"), "unexpected 'b' at 3");
        assert_eq!(err("a * * b"), "unexpected '*' at 5");
        assert_eq!(err("()"), "unexpected ')' at 2");
        assert_eq!(err("a % b"), "unexpected '%' at 3");
        assert_eq!(err("1e3"), "'1e3' at 1 is not a number");
        assert_eq!(err("1."), "'1.' at 1 is not a number");
        assert_eq!(err("a + .5"), "'.5' at 5 is not a number");
        assert_eq!(err("1.2.3"), "'1.2.3' at 1 is not a number");
        assert_eq!(err("   "), "the formula is empty");
        assert_eq!(err("+a"), "unexpected '+' at 1");
        assert!(err("123456789012345678901234567890").contains("too many digits"));
        // positions count characters, not bytes
        assert_eq!(err("a × ) "), "unexpected ')' at 5");
    }

    #[test]
    fn limits_keep_the_parser_bounded() {
        let deep = format!("{}1{}", "(".repeat(100), ")".repeat(100));
        assert_eq!(calc(&deep).unwrap_err(), "the formula is nested too deeply");
        assert!(calc(&"-".repeat(100)).is_err());
        let ok = format!("{}1{}", "(".repeat(60), ")".repeat(60));
        assert_eq!(calc(&ok).unwrap(), d("1"));
        let long = vec!["1"; 600].join("+");
        assert!(calc(&long).unwrap_err().contains("longer than"));
        let chain = vec!["1"; 500].join("+");
        assert_eq!(calc(&chain).unwrap(), d("500"));
    }

    #[test]
    fn evaluation_errors() {
        assert_eq!(calc("1 / 0").unwrap_err(), "division by zero");
        assert_eq!(calc("1 / (2 - 2)").unwrap_err(), "division by zero");
        assert_eq!(calc("0 / 0").unwrap_err(), "division by zero");
        let big = "79228162514264337593543950335";
        assert_eq!(
            calc(&format!("{big} * 2")).unwrap_err(),
            "the result is too large"
        );
        assert_eq!(
            calc(&format!("{big} + 1")).unwrap_err(),
            "the result is too large"
        );
        assert_eq!(
            calc(&format!("-{big} - 1")).unwrap_err(),
            "the result is too large"
        );
        assert_eq!(
            calc(&format!("{big} / 0.5")).unwrap_err(),
            "the result is too large"
        );
        let f = Formula::parse("a / b", &["a", "b"]).unwrap();
        assert_eq!(
            f.eval(&vars(&[("a", "1")])).unwrap_err(),
            "no value for 'b'"
        );
        assert_eq!(
            f.eval(&vars(&[("a", "1"), ("b", "0.000")])).unwrap_err(),
            "division by zero"
        );
    }
}
