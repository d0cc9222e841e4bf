/**
 * A plain textarea for YAML with line numbers beside it and the lines that have problems marked in
 * the gutter and behind the text. Lines never wrap, so a line of text is a row of the gutter.
 */
import { useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';

/** Must match .yaml-editor's line-height and padding in styles.css. */
const LINE_HEIGHT = 20;
const PADDING_TOP = 8;

/** Puts the caret on a line (1-based), selects it and scrolls it into view. */
export function goToLine(textarea: HTMLTextAreaElement, line: number): void {
  const lines = textarea.value.split('\n');
  const start = lines.slice(0, line - 1).reduce((sum, l) => sum + l.length + 1, 0);
  textarea.focus();
  textarea.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
  textarea.scrollTop = Math.max(0, (line - 3) * LINE_HEIGHT);
}

type Props = {
  id: string;
  value: string;
  onChange: (value: string) => void;
  /** Lines (1-based) that have a problem. */
  marked: ReadonlySet<number>;
  invalid: boolean;
  describedBy?: string;
  textareaRef?: React.RefObject<HTMLTextAreaElement | null>;
};

export function YamlEditor({ id, value, onChange, marked, invalid, describedBy, textareaRef }: Props) {
  const [scrollTop, setScrollTop] = useState(0);
  const ownRef = useRef<HTMLTextAreaElement>(null);
  const textarea = textareaRef ?? ownRef;
  const lineCount = value.split('\n').length;

  // Keeps the gutter in step when the text is scrolled by code (goToLine) rather than by the reader.
  useLayoutEffect(() => {
    if (textarea.current) setScrollTop(textarea.current.scrollTop);
  }, [value, textarea]);

  // Tab indents by two spaces, as YAML wants; Escape then Tab still leaves the field for keyboard users.
  const escaped = useRef(false);
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Escape') escaped.current = true;
    else if (event.key === 'Tab' && !event.shiftKey && !escaped.current) {
      event.preventDefault();
      const el = event.currentTarget;
      el.setRangeText('  ', el.selectionStart, el.selectionEnd, 'end');
      onChange(el.value);
    } else escaped.current = false;
  };

  return (
    <div className="yaml-editor">
      <div className="yaml-editor__gutter" aria-hidden="true">
        <div style={{ transform: `translateY(${-scrollTop}px)` }}>
          {Array.from({ length: lineCount }, (_, i) => (
            <div key={i} className={marked.has(i + 1) ? 'yaml-editor__number yaml-editor__number--marked' : 'yaml-editor__number'}>
              {i + 1}
            </div>
          ))}
        </div>
      </div>
      <div className="yaml-editor__body">
        <div className="yaml-editor__marks" aria-hidden="true" style={{ transform: `translateY(${-scrollTop}px)` }}>
          {[...marked].map((line) => (
            <div key={line} className="yaml-editor__mark" style={{ top: PADDING_TOP + (line - 1) * LINE_HEIGHT }} />
          ))}
        </div>
        <textarea
          id={id}
          ref={textarea}
          className="yaml-editor__text"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
          onKeyDown={onKeyDown}
          wrap="off"
          spellCheck={false}
          autoCapitalize="off"
          autoComplete="off"
          rows={Math.min(Math.max(lineCount + 1, 12), 28)}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
        />
      </div>
    </div>
  );
}
