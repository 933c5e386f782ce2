// The vigil rule language. The reference for rule authors is docs/language.md.
//
// The parser is deliberately permissive about property names and values: it accepts
// `word value` pairs inside rule and policy bodies and leaves the judgement of which
// property exists and what it may hold to engine/lang, which can then report
// "unknown property 'sevrity' (did you mean 'severity'?)" instead of a bare syntax error.
grammar Vigil;

file : decl* EOF ;

decl
  : listDecl
  | macroDecl
  | ruleDecl
  | testDecl
  | policyDecl
  | appendDecl
  ;

listDecl   : OVERRIDE? LIST name '=' listLit ;
macroDecl  : OVERRIDE? MACRO name '=' expr ;
ruleDecl   : OVERRIDE? RULE name '{' property* '}' ;
policyDecl : OVERRIDE? POLICY name '{' property* '}' ;
// `override` is accepted before `test` only to say precisely that it has no meaning there.
testDecl   : OVERRIDE? TEST name '{' testCase* '}' ;

// Adds to a declaration loaded from any file, without copying it: items to a list, an `or`
// (or `and`) condition to a macro, exceptions (or tuples of an existing exception) to a rule.
appendDecl
  : APPEND LIST name '='? listLit                  # appendList
  | APPEND MACRO name '='? conn=(OR | AND) expr    # appendMacro
  | APPEND RULE name '{' property* '}'             # appendRule
  ;

// A property is a keyword followed by its value. Which keywords exist for rules and
// policies, and which value shape each takes, is checked in engine/lang.
property
  : key=WHEN expr                                  # exprProperty
  | key=SCOPE expr                                 # exprProperty
  | key=ON eventSel                                # onProperty
  | key=EXCEPTION name (':' excField (',' excField)*)? IN excValues   # exceptionProperty
  | key=STEP name ON eventSel (WHEN expr)?         # stepProperty
  | key=propertyKey propertyValue                  # plainProperty
  ;

// Any name but the four keywords that start their own property forms above (keeping the
// alternatives disjoint lets the parser decide with one token of lookahead).
propertyKey
  : IDENT
  | LIST | MACRO | RULE | TEST | POLICY | OVERRIDE | APPEND | FOLLOW | EXISTS
  | CONTAINS | ICONTAINS | STARTSWITH | ENDSWITH | GLOB | MATCHES | INTERSECTS
  ;

// A field of a named exception, with the operator its values meet (== when none is given).
excField : operand (cmpOp | strOp | IN | INTERSECTS)? ;

// The values of an exception: tuples, one value per field; a one-field exception may give
// plain values.
excValues : '[' (excItem (',' excItem)* ','?)? ']' ;
excItem
  : '(' value (',' value)* ','? ')'                # tupleItem
  | value                                          # singleItem
  ;

propertyValue
  : literal
  | listLit
  | word
  | DURATION
  ;

eventSel
  : '*'                                            # allEvents
  | listLit                                        # eventList
  | word (',' word)*                               # eventWords
  ;

// One event, or several (a correlation's case) each at a time relative to the case's start:
//   alert [ 0s open { ... }, 5s exec { ... } ]
testCase : kind=word (event=word testFields | '[' (testEvent (',' testEvent)* ','?)? ']') ;
testEvent : at=DURATION? event=word testFields ;
testFields : '{' (testField (',' testField)* ','?)? '}' ;
testField : fieldRef ':' value ;

// ---- expressions -------------------------------------------------------------------

expr    : orExpr ;
orExpr  : andExpr (OR andExpr)* ;
andExpr : unaryExpr (AND unaryExpr)* ;

unaryExpr
  : NOT unaryExpr                                  # notExpr
  | atom FOLLOW?                                   # atomExpr
  ;

atom
  : '(' expr ')'                                   # parenAtom
  | EXISTS fieldRef                                # existsAtom
  | left=operand op=cmpOp right=operand            # compareAtom
  | left=operand op=strOp right=operand            # stringAtom
  | left=operand op=strOp right=listLit            # stringListAtom
  | left=operand NOT? IN right=setExpr             # inAtom
  | left=operand INTERSECTS right=setExpr          # intersectsAtom
  | operand                                        # bareAtom
  ;

cmpOp : '==' | '!=' | '<' | '<=' | '>' | '>=' ;
strOp : CONTAINS | ICONTAINS | STARTSWITH | ENDSWITH | GLOB | MATCHES ;

operand
  : literal                                        # literalOperand
  | call                                           # callOperand
  | fieldRef                                       # fieldOperand
  ;

call : fn=IDENT '(' (operand (',' operand)*)? ')' ;

setExpr
  : listLit                                        # listSet
  | call                                           # callSet
  | IDENT                                          # namedSet
  ;

fieldRef : IDENT ('[' (INT | key=IDENT) ']')? ;

// ---- literals ------------------------------------------------------------------------

value : literal | listLit | word ;

listLit : '[' (listItem (',' listItem)* ','?)? ']' ;

// nestedItem is accepted only to report it once: lists nest by name, not by brackets.
listItem
  : qualifier=listAtom ':' item=listAtom           # qualifiedItem
  | lo=INT '..' hi=INT                             # rangeItem
  | call                                           # callItem
  | listAtom                                       # plainItem
  | listLit                                        # nestedItem
  ;

// DOTNAME (.bashrc) is accepted where a bare word or a literal may stand, only to report it
// once, precisely: such names must be quoted.
listAtom : STRING | RAWSTRING | INT | TRUE | FALSE | DOTNAME | word ;

literal : STRING | RAWSTRING | INT | TRUE | FALSE | DOTNAME ;

// Names may reuse property and operator keywords that carry no meaning in that position.
word
  : IDENT
  | LIST | MACRO | RULE | TEST | POLICY | OVERRIDE | APPEND | EXCEPTION | STEP
  | WHEN | SCOPE | ON | FOLLOW | EXISTS
  | CONTAINS | ICONTAINS | STARTSWITH | ENDSWITH | GLOB | MATCHES | INTERSECTS
  ;

name : word ;

// ---- lexer ---------------------------------------------------------------------------

LIST       : 'list' ;
MACRO      : 'macro' ;
RULE       : 'rule' ;
TEST       : 'test' ;
POLICY     : 'policy' ;
OVERRIDE   : 'override' ;
APPEND     : 'append' ;
EXCEPTION  : 'exception' ;
STEP       : 'step' ;
WHEN       : 'when' ;
SCOPE      : 'scope' ;
ON         : 'on' ;
FOLLOW     : 'follow' ;
AND        : 'and' ;
OR         : 'or' ;
NOT        : 'not' ;
IN         : 'in' ;
EXISTS     : 'exists' ;
INTERSECTS : 'intersects' ;
CONTAINS   : 'contains' ;
ICONTAINS  : 'icontains' ;
STARTSWITH : 'startswith' ;
ENDSWITH   : 'endswith' ;
GLOB       : 'glob' ;
MATCHES    : 'matches' ;
TRUE       : 'true' ;
FALSE      : 'false' ;

// A duration: 500ms, 30s, 5m, 2h, 1d (correlation windows, throttles, test event times).
DURATION : [0-9]+ ('ms' | 's' | 'm' | 'h' | 'd') ;

INT : '-'? [0-9]+ | '0x' [0-9a-fA-F]+ | '0o' [0-7]+ ;

// Identifiers may be dotted (proc.parent.name, T1003.008) and contain dashes after the
// first character (vigil-e2e-x), so that bare list words need no quotes.
IDENT : [a-zA-Z_] [a-zA-Z0-9_\-]* ('.' [a-zA-Z0-9_\-]+)* ;

// A name that starts with a dot (.bashrc) is not a bare word; the parser reports it once.
DOTNAME : '.' [a-zA-Z0-9_\-]+ ('.' [a-zA-Z0-9_\-]+)* ;

STRING    : '"' ( '\\' ~[\r\n] | ~["\\\r\n] )* '"' ;
// Single-quoted strings are raw: no escapes, handy for regular expressions.
RAWSTRING : '\'' ~['\r\n]* '\'' ;
// An unterminated string is lexed as one token so that the parser reports it precisely.
UNTERMINATED_STRING : '"' ( '\\' ~[\r\n] | ~["\\\r\n] )* | '\'' ~['\r\n]* ;

COMMENT : '#' ~[\r\n]* -> skip ;
WS      : [ \t\r\n\u000C]+ -> skip ;

// Anything else is one bad character, reported by the parser with its position.
BAD_CHAR : . ;
