// The code editor: CodeMirror 6 with Python highlighting, auto-indent, Tab to indent, bracket matching and line
// numbers. No autocompletion: Enter always means a new line, so typing a solution is all it takes.
import { closeBrackets, closeBracketsKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { python } from '@codemirror/lang-python';
import { bracketMatching, indentOnInput, indentUnit, syntaxHighlighting } from '@codemirror/language';
import { EditorState, Prec, StateEffect, StateField } from '@codemirror/state';
import {
  Decoration, drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, highlightSpecialChars, keymap,
  lineNumbers,
} from '@codemirror/view';
import { classHighlighter } from '@lezer/highlight';

// The line a traceback points at, marked until the next result or the next edit of that line.
const setErrorLine = StateEffect.define();
const errorLineMark = Decoration.line({ class: 'cm-errorLine', attributes: { 'data-testid': 'error-line' } });

const errorLine = StateField.define({
  create: () => Decoration.none,
  update(marks, transaction) {
    let next = marks.map(transaction.changes);
    for (const effect of transaction.effects) {
      if (!effect.is(setErrorLine)) continue;
      next = effect.value === null
        ? Decoration.none
        : Decoration.set([errorLineMark.range(transaction.state.doc.line(effect.value).from)]);
    }
    return next;
  },
  provide: (field) => EditorView.decorations.from(field),
});

// Colours come from the page's CSS variables, so light and dark follow prefers-color-scheme.
const theme = EditorView.theme({
  '&': { color: 'var(--code-fg)', backgroundColor: 'var(--code-bg)', border: '1px solid var(--border)', borderRadius: '6px' },
  '&.cm-focused': { outline: '3px solid var(--focus)', outlineOffset: '2px' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.5', minHeight: '16em' },
  '.cm-content': { caretColor: 'var(--fg)' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--fg)' },
  '.cm-gutters': { backgroundColor: 'var(--code-gutter-bg)', color: 'var(--code-gutter-fg)', borderRight: '1px solid var(--border)' },
  '.cm-activeLine': { backgroundColor: 'var(--code-active-line)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--code-active-line)', color: 'var(--fg)' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground': {
    backgroundColor: 'var(--code-selection)',
  },
  '&.cm-focused .cm-matchingBracket': { backgroundColor: 'var(--code-bracket)', outline: '1px solid var(--code-gutter-fg)' },
  '&.cm-focused .cm-nonmatchingBracket': { backgroundColor: 'var(--bad-bg)' },
  '.cm-errorLine': { backgroundColor: 'var(--bad-bg)', boxShadow: 'inset 4px 0 0 var(--bad)' },
});

/**
 * Creates the editor in `parent`.
 * label and describedBy (an element id) name the editor for assistive technology.
 * onChange(code) after every edit; onSubmit() on Ctrl+Enter / Cmd+Enter.
 */
export function createEditor(parent, { code, label, describedBy, onChange, onSubmit }) {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: code,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightSpecialChars(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        closeBrackets(),
        highlightActiveLine(),
        python(),
        syntaxHighlighting(classHighlighter),
        indentUnit.of('    '),
        EditorState.tabSize.of(4),
        Prec.highest(keymap.of([{ key: 'Mod-Enter', run: () => (onSubmit(), true) }])),
        // Tab indents (Shift+Tab dedents); Escape then Tab leaves the editor, as CodeMirror documents.
        keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, indentWithTab]),
        EditorView.contentAttributes.of(describedBy ? { 'aria-label': label, 'aria-describedby': describedBy } : { 'aria-label': label }),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) onChange(update.state.doc.toString());
        }),
        errorLine,
        theme,
      ],
    }),
  });

  return {
    getCode: () => view.state.doc.toString(),
    setCode(next) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: next }, effects: setErrorLine.of(null) });
    },
    /** Marks line (1-based) and scrolls it into view; null or a line outside the code clears the mark. */
    showErrorLine(line) {
      const valid = Number.isInteger(line) && line >= 1 && line <= view.state.doc.lines;
      const effects = [setErrorLine.of(valid ? line : null)];
      if (valid) effects.push(EditorView.scrollIntoView(view.state.doc.line(line).from, { y: 'center' }));
      view.dispatch({ effects });
    },
    focus: () => view.focus(),
    destroy: () => view.destroy(),
  };
}
