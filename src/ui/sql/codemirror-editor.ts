import {
  Annotation, Compartment, EditorSelection, EditorState, Prec, StateField, findClusterBreak, type Extension, type Text,
} from '@codemirror/state';
import {
  EditorView, drawSelection, highlightActiveLine, highlightSpecialChars, keymap, lineNumbers, placeholder,
} from '@codemirror/view';
import { bracketMatching, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { classHighlighter } from '@lezer/highlight';
import {
  autocompletion, closeBrackets, closeBracketsKeymap, closeCompletion, ifNotIn, type Completion, type CompletionContext, type CompletionSource,
} from '@codemirror/autocomplete';
import { PostgreSQL, SQLDialect, sql, type SQLNamespace } from '@codemirror/lang-sql';

/**
 * The console's editor: CodeMirror 6 with SQL highlighting (PostgreSQL's dialect plus DuckDB's
 * own words) and completion of the tables, columns and functions DuckDB reports. Tokens get
 * stable `tok-*` classes (classHighlighter) so the page's CSS colours them in light and dark.
 * Ctrl/Cmd-Enter runs; Up on the first line and Down on the last walk the history.
 */
const DUCKDB_WORDS =
  'summarize pivot unpivot qualify asof positional anti semi struct map list union_by_name exclude columns ' +
  'macro install load attach detach use pragma checkpoint describe show sample using replace';
const DUCKDB_TYPES =
  'hugeint uhugeint ubigint uinteger usmallint utinyint tinyint blob varchar uuid timestamp_s timestamp_ms timestamp_ns enum';

export const DUCKDB_DIALECT = SQLDialect.define({
  ...PostgreSQL.spec,
  keywords: `${PostgreSQL.spec.keywords ?? ''} ${DUCKDB_WORDS}`,
  types: `${PostgreSQL.spec.types ?? ''} ${DUCKDB_TYPES}`,
  // DuckDB folds unquoted names to lower case, and matches quoted ones case-insensitively too.
  caseInsensitiveIdentifiers: true,
});

export interface SchemaColumn {
  name: string;
  type: string;
}

export interface SqlEditorOptions {
  doc?: string;
  onRun(): void;
  /** The history entry one step older (-1) or newer (+1) than what is shown, or null at either end. */
  onHistory(step: -1 | 1, current: string): string | null;
  onChange?(doc: string): void;
}

export interface SqlEditor {
  readonly view: EditorView;
  getDoc(): string;
  setDoc(text: string, cursor?: 'start' | 'end'): void;
  setSchema(tables: Readonly<Record<string, readonly SchemaColumn[]>>, functions: readonly string[]): void;
  /** Puts `text` in place of the selection (at the cursor) and focuses the editor. */
  insert(text: string): void;
  focus(): void;
  destroy(): void;
}

/**
 * Unqualified names: every column of every table (lang-sql completes columns only after `table.`)
 * ranked above DuckDB's functions. Not after a dot, nor inside strings and comments.
 */
function nameSource(options: readonly Completion[]): CompletionSource {
  const source = (ctx: CompletionContext) => {
    const word = ctx.matchBefore(/[A-Za-z_][\w$]*/);
    if (!word && !ctx.explicit) return null;
    const from = word ? word.from : ctx.pos;
    if (ctx.state.sliceDoc(from - 1, from) === '.') return null;
    return { from, options, validFor: /^[\w$]*$/ };
  };
  return ifNotIn(['String', 'QuotedIdentifier', 'LineComment', 'BlockComment'], source);
}

function language(tables: Readonly<Record<string, readonly SchemaColumn[]>>, functions: readonly string[]): Extension {
  const schema: Record<string, Completion[]> = {};
  const columns = new Map<string, Set<string>>();
  for (const [table, cols] of Object.entries(tables)) {
    schema[table] = cols.map((c) => ({ label: c.name, detail: c.type, type: 'property' }));
    for (const c of cols) (columns.get(c.name) ?? columns.set(c.name, new Set()).get(c.name)!).add(c.type);
  }
  const names: Completion[] = [
    ...[...columns].map(([name, types]): Completion => ({ label: name, detail: [...types].join(' | '), type: 'property', boost: 2 })),
    ...functions.filter((f) => !columns.has(f)).map((f): Completion => ({ label: f, type: 'function', boost: -1 })),
  ];
  return [
    sql({ dialect: DUCKDB_DIALECT, schema: schema as SQLNamespace, upperCaseKeywords: true }),
    DUCKDB_DIALECT.language.data.of({ autocomplete: nameSource(names) }),
  ];
}

/**
 * Undo and redo by snapshots (typing within half a second is one step). @codemirror/commands,
 * which has CodeMirror's real history, is not among the installed packages.
 */
const historyStep = Annotation.define<'undo' | 'redo'>();
interface Snapshot {
  doc: Text;
  selection: EditorSelection;
}
interface Snapshots {
  done: readonly Snapshot[];
  undone: readonly Snapshot[];
  at: number;
}
const UNDO_DEPTH = 200;
const snapshots = StateField.define<Snapshots>({
  create: () => ({ done: [], undone: [], at: 0 }),
  update(value, tr) {
    const before: Snapshot = { doc: tr.startState.doc, selection: tr.startState.selection };
    const step = tr.annotation(historyStep);
    if (step === 'undo') return { done: value.done.slice(0, -1), undone: [...value.undone, before], at: 0 };
    if (step === 'redo') return { done: [...value.done, before], undone: value.undone.slice(0, -1), at: 0 };
    if (!tr.docChanged) return value;
    const now = Date.now();
    if (value.done.length && now - value.at < 500) return { ...value, undone: [], at: now };
    return { done: [...value.done, before].slice(-UNDO_DEPTH), undone: [], at: now };
  },
});
const restore = (which: 'undo' | 'redo') => (view: EditorView): boolean => {
  const value = view.state.field(snapshots);
  const snap = (which === 'undo' ? value.done : value.undone).at(-1);
  if (!snap) return false;
  view.dispatch({
    changes: { from: 0, to: view.state.doc.length, insert: snap.doc },
    selection: snap.selection,
    annotations: historyStep.of(which),
    scrollIntoView: true,
  });
  return true;
};

/**
 * Editing keys as state changes. Left to contenteditable, a Delete over a full selection was
 * sometimes shown but never reached the editor state (headless Chromium); CodeMirror's own
 * versions live in @codemirror/commands, which is not installed.
 */
const deleteChar = (forward: boolean) => (view: EditorView): boolean => {
  const { state } = view;
  const spec = state.changeByRange((range) => {
    if (!range.empty) return { changes: { from: range.from, to: range.to }, range: EditorSelection.cursor(range.from) };
    const line = state.doc.lineAt(range.head);
    const at = range.head - line.from;
    const target = forward
      ? range.head === line.to ? Math.min(state.doc.length, range.head + 1) : line.from + findClusterBreak(line.text, at, true)
      : range.head === line.from ? Math.max(0, range.head - 1) : line.from + findClusterBreak(line.text, at, false);
    const from = Math.min(range.head, target);
    return { changes: { from, to: Math.max(range.head, target) }, range: EditorSelection.cursor(from) };
  });
  view.dispatch(state.update(spec, { scrollIntoView: true, userEvent: forward ? 'delete.forward' : 'delete.backward' }));
  return true;
};

/** A line break that keeps the current line's indentation. */
const newline = (view: EditorView): boolean => {
  const { state } = view;
  const spec = state.changeByRange((range) => {
    const indent = /^[ \t]*/.exec(state.doc.lineAt(range.from).text)![0];
    const insert = `\n${indent}`;
    return { changes: { from: range.from, to: range.to, insert }, range: EditorSelection.cursor(range.from + insert.length) };
  });
  view.dispatch(state.update(spec, { scrollIntoView: true, userEvent: 'input' }));
  return true;
};

export function createSqlEditor(parent: HTMLElement, options: SqlEditorOptions): SqlEditor {
  const lang = new Compartment();

  const setDoc = (view: EditorView, text: string, cursor: 'start' | 'end' = 'end') => {
    view.dispatch({
      changes: { from: 0, to: view.state.doc.length, insert: text },
      selection: EditorSelection.cursor(cursor === 'start' ? 0 : text.length),
      scrollIntoView: true,
    });
  };

  const walkHistory = (step: -1 | 1) => (view: EditorView): boolean => {
    const sel = view.state.selection.main;
    if (!sel.empty) return false;
    const line = view.state.doc.lineAt(sel.head).number;
    if (step === -1 ? line !== 1 : line !== view.state.doc.lines) return false;
    const text = options.onHistory(step, view.state.doc.toString());
    if (text === null) return false;
    // Older entries open at their start, so a second Up keeps walking back.
    setDoc(view, text, step === -1 ? 'start' : 'end');
    return true;
  };

  const run = (v: EditorView) => {
    // The completion popup would stay open over the result (issue 18).
    closeCompletion(v);
    options.onRun();
    return true;
  };

  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: options.doc ?? '',
      extensions: [
        lineNumbers(),
        highlightSpecialChars(),
        drawSelection(),
        highlightActiveLine(),
        EditorView.lineWrapping,
        indentOnInput(),
        bracketMatching(),
        closeBrackets(),
        syntaxHighlighting(classHighlighter),
        autocompletion({ activateOnTyping: true }),
        lang.of(language({}, [])),
        snapshots,
        placeholder("SELECT * FROM mastodon_toot WHERE mastodon_text ILIKE '%duckdb%'"),
        EditorView.contentAttributes.of({ 'aria-label': 'SQL' }),
        Prec.highest(keymap.of([
          { key: 'Mod-Enter', run },
          { key: 'Ctrl-Enter', run },
        ])),
        keymap.of([
          ...closeBracketsKeymap,
          { key: 'Backspace', run: deleteChar(false) },
          { key: 'Delete', run: deleteChar(true) },
          { key: 'Enter', run: newline },
          { key: 'Mod-z', run: restore('undo'), preventDefault: true },
          { key: 'Mod-y', run: restore('redo'), preventDefault: true },
          { key: 'Mod-Shift-z', run: restore('redo'), preventDefault: true },
          { key: 'ArrowUp', run: walkHistory(-1) },
          { key: 'ArrowDown', run: walkHistory(1) },
          {
            key: 'Mod-a',
            run: (v) => {
              v.dispatch({ selection: EditorSelection.single(0, v.state.doc.length) });
              return true;
            },
          },
        ]),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) options.onChange?.(u.state.doc.toString());
        }),
      ],
    }),
  });

  return {
    view,
    getDoc: () => view.state.doc.toString(),
    setDoc: (text, cursor) => setDoc(view, text, cursor),
    setSchema(tables, functions) {
      view.dispatch({ effects: lang.reconfigure(language(tables, functions)) });
    },
    insert(text) {
      view.dispatch(view.state.replaceSelection(text));
      view.focus();
    },
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}
